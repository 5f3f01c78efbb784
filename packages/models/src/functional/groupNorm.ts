import * as tf from '@tensorflow/tfjs-core';

/**
 * Group normalisation of a channels-last tensor [N, ..., C] (NHWC images, or [N, L, C]): statistics per sample over
 * every position and the C/groups channels of each group, biased variance, then the per-channel affine, as
 * torch.nn.functional.group_norm computes it on the NCHW equivalent.
 *
 * why a function of its own: the one place to switch to @sdxl-trainer/tensor's faster matmul-based groupNorm.
 */
export function groupNorm(x: tf.Tensor, groups: number, weight: tf.Tensor | null, bias: tf.Tensor | null, eps: number): tf.Tensor {
  const channels = x.shape[x.rank - 1]!;
  if (x.rank < 2 || channels % groups !== 0) {
    throw new RangeError(`groupNorm needs a channels-last tensor whose ${channels} channels split into ${groups} groups, got shape [${x.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const batch = x.shape[0]!;
    const grouped = tf.reshape(x, [batch, -1, groups, channels / groups]);
    const { mean, variance } = tf.moments(grouped, [1, 3], true);
    let y = tf.reshape(tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, eps))), x.shape);
    if (weight !== null) y = tf.mul(y, weight);
    if (bias !== null) y = tf.add(y, bias);
    return y;
  });
}
