import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link timestepEmbedding} (diffusers `get_timestep_embedding` arguments). */
export interface TimestepEmbeddingOptions {
  /** Put the cosines first (`flip_sin_to_cos`; SDXL: true). */
  readonly flipSinToCos: boolean;
  /** `downscale_freq_shift` (the UNet's `freq_shift`; SDXL: 0). */
  readonly downscaleFreqShift: number;
  /** Multiplies the angles (default 1). */
  readonly scale?: number;
  /** Longest period (default 10000). */
  readonly maxPeriod?: number;
}

/**
 * Sinusoidal embedding of N (possibly fractional) timesteps [N] -> [N, dim], diffusers embeddings.py
 * `get_timestep_embedding` (DDPM's): with half = ⌊dim/2⌋, freq_i = exp(−ln(maxPeriod)·i / (half − shift)),
 * angles = scale·t·freq, then [sin, cos] ([cos, sin] when flipped), a zero column appended for odd `dim`.
 * Every step is float32 in the same order as PyTorch's.
 */
export function timestepEmbedding(timesteps: tf.Tensor1D, dim: number, options: TimestepEmbeddingOptions): tf.Tensor2D {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`timestep embedding dim must be a positive integer, got ${dim}`);
  const half = Math.floor(dim / 2);
  const n = timesteps.shape[0];
  return tf.tidy(() => {
    const exponent = tf.div(tf.mul(tf.range(0, half, 1, 'float32'), -Math.log(options.maxPeriod ?? 10000)), half - options.downscaleFreqShift);
    let angles = tf.mul(tf.reshape(tf.cast(timesteps, 'float32'), [n, 1]), tf.reshape(tf.exp(exponent), [1, half]));
    if ((options.scale ?? 1) !== 1) angles = tf.mul(angles, options.scale!);
    const [sin, cos] = [tf.sin(angles), tf.cos(angles)];
    const parts = options.flipSinToCos ? [cos, sin] : [sin, cos];
    if (dim % 2 === 1) parts.push(tf.zeros([n, 1]));
    return tf.concat(parts, 1) as tf.Tensor2D;
  });
}
