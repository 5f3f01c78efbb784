import * as tf from '@tensorflow/tfjs-core';

/**
 * Looks up one table value per sample and shapes it to broadcast over every non-batch axis of a tensor of rank
 * `rank` (works for NHWC and NCHW alike), as diffusers' add_noise does with `.flatten()` and `unsqueeze(-1)`.
 * Call inside tf.tidy.
 */
export function perSample(table: tf.Tensor1D, timesteps: tf.Tensor, rank: number): tf.Tensor {
  const values = tf.gather(table, tf.reshape(timesteps, [-1]));
  return tf.reshape(values, [-1, ...new Array<number>(Math.max(rank - 1, 0)).fill(1)]);
}
