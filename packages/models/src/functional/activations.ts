import * as tf from '@tensorflow/tfjs-core';

/** An elementwise activation. */
export type Activation = (x: tf.Tensor) => tf.Tensor;

/** Exact GELU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)) (torch.nn.functional.gelu, approximate='none'; transformers "gelu"). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

/**
 * Tanh-approximated GELU, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (torch gelu approximate='tanh'; transformers
 * "gelu_new" and "gelu_pytorch_tanh", activations.py NewGELUActivation / PytorchGELUTanh).
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  });
}

/** x·sigmoid(1.702·x) (transformers activations.py QuickGELUActivation; OpenAI CLIP ViT-L/14). */
export function quickGelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))));
}

/** SiLU / swish, x·sigmoid(x) (torch.nn.SiLU; diffusers act_fn "silu"). */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

/** max(x, 0). */
export function relu(x: tf.Tensor): tf.Tensor {
  return tf.relu(x);
}

/**
 * transformers' ACT2FN names this package implements (activations.py). "swish" is SiLU there too. Any other name is
 * a config the code does not support.
 */
export const ACTIVATIONS: Readonly<Record<string, Activation>> = Object.freeze({
  gelu,
  gelu_new: geluTanh,
  gelu_pytorch_tanh: geluTanh,
  quick_gelu: quickGelu,
  silu,
  swish: silu,
  relu,
});
