import type { HostTensor } from '@sdxl-trainer/core';
import { AutoencoderKL } from '@sdxl-trainer/models';
import { initBackend } from '@sdxl-trainer/tensor';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSeededNoise } from './contentSeededNoise.js';
import { maxAbsDiff, nhwc, readVaeReference } from './testing/vaeReference.js';
import { VaeLatentEncoder } from './VaeLatentEncoder.js';

// PyTorch reference: shared/fixtures/sdxl-tiny/reference/README.md §c — vae.encode(image).latent_dist, its
// sample with the saved noise sample_eps, and model_input = sample × scaling_factor (compute_vae_encodings).
// Tolerance: the fixture's 1e-4 absolute for VAE outputs.
const TOLERANCE = 1e-4;
const SCALING_FACTOR = 0.18215;

let vae: AutoencoderKL;
let ref: ReturnType<typeof readVaeReference>;
let image: HostTensor;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  ref = readVaeReference();
  image = nhwc(ref.image!);
  vae = await AutoencoderKL.fromPretrained(sdxlTinyFixture(), { subfolder: 'vae' });
});
afterAll(() => vae.dispose());

/** A second test image: the reference image mirrored left to right. */
function mirrored(source: HostTensor): HostTensor {
  const [h, w, c] = source.shape as [number, number, number];
  const data = new Float32Array(source.data.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) data[(y * w + x) * c + k] = source.data[(y * w + (w - 1 - x)) * c + k]!;
  return { data, shape: source.shape };
}

describe('VaeLatentEncoder against PyTorch (sdxl-tiny vae.safetensors)', () => {
  it('with PyTorch’s noise it reproduces model_input = latent_dist.sample() × scaling_factor', async () => {
    const epsilon = nhwc(ref.sample_eps!).data;
    const encoder = new VaeLatentEncoder(vae, { id: 'test', batchSize: 4, noise: () => epsilon });
    const [latent] = await encoder.encode([image]);
    expect(latent!.shape).toEqual([32, 32, 4]);
    // the fixture VAE has two blocks: 64×64 images give 32×32 latents, and the encoder says so for the data caches
    expect(encoder.downsampleFactor).toBe(2);
    const error = maxAbsDiff(latent!.data, nhwc(ref.model_input!).data);
    console.log('sdxl-vae model_input max abs error', error);
    expect(error).toBeLessThanOrEqual(TOLERANCE);
  });

  it('with its own content-seeded noise it gives scaling_factor × (mean + std × ε) for that ε', async () => {
    const noise = contentSeededNoise(7);
    const encoder = new VaeLatentEncoder(vae, { id: 'test', batchSize: 4, noise });
    const [latent] = await encoder.encode([image]);
    const epsilon = noise(image, [32, 32, 4]);
    const mean = nhwc(ref.latent_mean!).data;
    const std = nhwc(ref.latent_std!).data;
    const expected = mean.map((m, i) => SCALING_FACTOR * (m + std[i]! * epsilon[i]!));
    const error = maxAbsDiff(latent!.data, expected);
    console.log('sdxl-vae own-noise latent max abs error', error);
    expect(error).toBeLessThanOrEqual(TOLERANCE);
    // ε is standard normal: a loose check of its first two moments over 4096 draws
    const avg = epsilon.reduce((a, b) => a + b, 0) / epsilon.length;
    const variance = epsilon.reduce((a, b) => a + (b - avg) ** 2, 0) / epsilon.length;
    expect(Math.abs(avg)).toBeLessThan(0.1);
    expect(Math.abs(variance - 1)).toBeLessThan(0.1);
  });

  it('gives each image the same latent whatever the batch size, order or neighbours; another seed gives another', async () => {
    const other = mirrored(image);
    const one = new VaeLatentEncoder(vae, { id: 'a', batchSize: 1, noise: contentSeededNoise(3) });
    const two = new VaeLatentEncoder(vae, { id: 'b', batchSize: 2, noise: contentSeededNoise(3) });
    const [a1, b1] = await one.encode([image, other]);
    const [b2, a2] = await two.encode([other, image]);
    expect(maxAbsDiff(a1!.data, a2!.data)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(b1!.data, b2!.data)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(a1!.data, b1!.data)).toBeGreaterThan(1e-2);
    const [reseeded] = await new VaeLatentEncoder(vae, { id: 'c', batchSize: 1, noise: contentSeededNoise(4) }).encode([image]);
    expect(maxAbsDiff(a1!.data, reseeded!.data)).toBeGreaterThan(1e-2);
  });

  it('refuses images that are not float32 NHWC with 3 channels', async () => {
    const encoder = new VaeLatentEncoder(vae, { id: 'test', batchSize: 2, noise: contentSeededNoise(0) });
    await expect(encoder.encode([{ data: new Float32Array(8 * 8), shape: [8, 8, 1] }])).rejects.toThrow(/image 0 for the VAE must be float32 NHWC pixels \[height, width, 3\]/);
    await expect(encoder.encode([image, { data: new Int32Array(8 * 8 * 3), shape: [8, 8, 3] }])).rejects.toThrow(/image 1 .* got Int32Array/);
  });
});
