import * as tf from '@tensorflow/tfjs-core';

/**
 * Layer normalisation over the last axis: (x − mean)/√(var + eps)·weight + bias with the biased variance, as
 * torch.nn.functional.layer_norm. `weight`/`bias` are [C] (or null for elementwise_affine=False).
 */
export function layerNorm(x: tf.Tensor, weight: tf.Tensor | null, bias: tf.Tensor | null, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
    if (weight !== null) y = tf.mul(y, weight);
    if (bias !== null) y = tf.add(y, bias);
    return y;
  });
}
