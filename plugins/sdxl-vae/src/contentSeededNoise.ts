import { createHash } from 'node:crypto';
import type { HostTensor } from '@sdxl-trainer/core';
import { Rng } from '@sdxl-trainer/tensor';

/** The N(0, 1) noise ε of `latent_dist.sample()` for one image: `shape`-many values, row-major. */
export type LatentNoise = (image: HostTensor, latentShape: readonly number[]) => Float32Array;

/**
 * Latent sampling noise drawn from a stream seeded by `seed` and the image's content (SHA-256 of its shape and
 * float32 bytes): the same image always gets the same latent sample, whatever batch or order it is encoded in, so a
 * cached latent is exactly what encoding the image again would give. Same numbers on every backend (not tf.random).
 */
export function contentSeededNoise(seed: number): LatentNoise {
  return (image, latentShape) => {
    const bytes = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength);
    const digest = createHash('sha256').update(`sdxl-vae/latent-noise/${seed}/${image.shape.join('x')}/`).update(bytes).digest();
    // why: 48 bits of the digest fit a safe-integer seed.
    const random = Rng.fromSeed(digest.readUIntBE(0, 6));
    const noise = new Float32Array(latentShape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < noise.length; i++) noise[i] = random.normal();
    return noise;
  };
}
