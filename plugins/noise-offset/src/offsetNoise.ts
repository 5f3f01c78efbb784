import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@sdxl-trainer/core';

/**
 * `noise + offset · randn(B, 1, …, 1, C)`: one normal draw per sample and channel, the same at every position —
 * the SDXL script's `noise += noise_offset * torch.randn((B, C, 1, 1))` (crosslabs.org "diffusion with offset
 * noise"), for channels-last tensors (NHWC; a `[B, F]` tensor counts its last axis as channels). The draws come
 * from `rng` in `[B, C]` row-major order.
 */
export function offsetNoise(noise: tf.Tensor, offset: number, rng: Rng): tf.Tensor {
  if (noise.rank < 2) throw new RangeError(`offset noise needs a noise tensor of rank ≥ 2 ([batch, …, channels]), got shape [${noise.shape}]`);
  const batch = noise.shape[0]!;
  const channels = noise.shape[noise.rank - 1]!;
  const shape = [batch, ...new Array<number>(noise.rank - 2).fill(1), channels];
  return tf.tidy(() => {
    const draws = tf.tensor(rng.fillNormal(new Float32Array(batch * channels)), shape, 'float32');
    return tf.add(noise, tf.mul(draws, offset));
  });
}
