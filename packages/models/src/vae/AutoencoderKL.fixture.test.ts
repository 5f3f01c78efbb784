import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { SafetensorsReader } from '@sdxl-trainer/safetensors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureRoot, maxErrorNchw, openReference, readNhwc } from '../testing/fixture.js';
import { AutoencoderKL } from './AutoencoderKL.js';
import { setTestBackend } from '@sdxl-trainer/tensor';

// PyTorch reference: reference/README.md §c (diffusers 0.27.2, float32, CPU). Tolerance: 1e-4 absolute on every
// output (the fixture's suggested atol for VAE outputs, values O(1)).
const TOLERANCE = 1e-4;

let reference: SafetensorsReader;
let vae: AutoencoderKL;
beforeAll(async () => {
  await setTestBackend();
  reference = await openReference('vae.safetensors');
  vae = await AutoencoderKL.fromPretrained(fixtureRoot(), { subfolder: 'vae' });
});
afterAll(async () => {
  await reference.close();
  vae.dispose();
});

describe('AutoencoderKL against diffusers (sdxl-tiny vae)', () => {
  it(`encode: latent mean, logvar, std, the sample with PyTorch's noise, and model_input within ${TOLERANCE}`, async () => {
    const image = await readNhwc(reference, 'image');
    const dist = vae.encode(image);
    const sample = dist.sample(await readNhwc(reference, 'sample_eps'));
    const modelInput = tf.mul(sample, vae.scalingFactor) as tf.Tensor4D;
    const errors = {
      latent_mean: await maxErrorNchw(dist.mean, reference, 'latent_mean'),
      latent_logvar: await maxErrorNchw(dist.logvar, reference, 'latent_logvar'),
      latent_std: await maxErrorNchw(dist.std, reference, 'latent_std'),
      latent_sample: await maxErrorNchw(sample, reference, 'latent_sample'),
      model_input: await maxErrorNchw(modelInput, reference, 'model_input'),
    };
    console.log('VAE encode max abs errors', errors);
    for (const [name, error] of Object.entries(errors)) expect(error, name).toBeLessThanOrEqual(TOLERANCE);
    expect(vae.scalingFactor).toBe(0.18215);
    dist.dispose();
    tf.dispose([image, sample, modelInput]);
  });

  it(`decode(latent_mean) matches decoded_from_mean within ${TOLERANCE}`, async () => {
    const mean = await readNhwc(reference, 'latent_mean');
    const decoded = vae.decode(mean);
    const error = await maxErrorNchw(decoded, reference, 'decoded_from_mean');
    console.log('VAE decode max abs error', error);
    expect(error).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([mean, decoded]);
  });

  it('chunked attention gives the same encode and decode (every output within 1e-5 of the plain path)', async () => {
    // why 1e-5: float32 sums in another order (cpu gives 0; oneDNN on the tensorflow backend splits matmuls by row count, ~4e-6).
    // why a 32×32 crop: 256 latent tokens in 3 chunks of 100 exercise the chunking at a quarter of the cpu time.
    const full = await readNhwc(reference, 'image');
    const image = tf.slice(full, [0, 0, 0, 0], [1, 32, 32, 3]);
    full.dispose();
    const plain = vae.encode(image);
    const plainImage = vae.decode(plain.mean);
    vae.setAttentionChunkSize(100);
    try {
      const chunked = vae.encode(image);
      const chunkedImage = vae.decode(chunked.mean);
      const diff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
      expect(diff(chunked.mean, plain.mean)).toBeLessThanOrEqual(1e-5);
      expect(diff(chunked.logvar, plain.logvar)).toBeLessThanOrEqual(1e-5);
      expect(diff(chunkedImage, plainImage)).toBeLessThanOrEqual(1e-5);
      chunked.dispose();
      chunkedImage.dispose();
    } finally {
      vae.setAttentionChunkSize(undefined);
    }
    plain.dispose();
    tf.dispose([image, plainImage]);
  });
});
