import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensors } from './Optimizer.js';

/**
 * Global L2 norm of all gradients, computed as torch.nn.utils.clip_grad_norm_ does: the norm of the
 * stacked per-parameter norms.
 */
export function globalGradNorm(gradients: NamedTensors): tf.Scalar {
  return tf.tidy(() => {
    const norms = [...gradients.values()].map((g) => tf.norm(g));
    return (norms.length === 0 ? tf.scalar(0) : tf.norm(tf.stack(norms))) as tf.Scalar;
  });
}

/**
 * Clip gradients by global norm (torch 1.13 `clip_grad_norm_`, the SDXL script's --max_grad_norm):
 * every gradient is multiplied by `min(1, maxNorm / (norm + 1e-6))`. Returns the new gradients and the
 * norm before clipping. Call inside tf.tidy.
 */
export function clipGradNorm(gradients: NamedTensors, maxNorm: number): { gradients: Map<string, tf.Tensor>; norm: tf.Scalar } {
  const norm = globalGradNorm(gradients);
  const coef = tf.minimum(tf.div(tf.scalar(maxNorm), tf.add(norm, tf.scalar(1e-6))), tf.scalar(1));
  const clipped = new Map([...gradients].map(([name, g]) => [name, tf.mul(g, coef)] as const));
  return { gradients: clipped, norm };
}
