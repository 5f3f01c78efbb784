// Test helpers: precomputed SDXL samples of the sdxl-tiny shapes, weight snapshots, PNG headers. Not part of the build.
import { readFile } from 'node:fs/promises';
import type { BackendName } from '@sdxl-trainer/tensor';
import { ArrayDataset, Rng, type Sample, type TrainerPlugin } from '@sdxl-trainer/core';
import type { UNet2DConditionModel } from '@sdxl-trainer/models';
import { SdxlSampleKey } from '@sdxl-trainer/sdxl';

/** The backend of the fixture runs: SDXL_TEST_BACKEND (CI reruns suites on tensorflow), else cpu. */
export function testBackend(): BackendName {
  return (process.env['SDXL_TEST_BACKEND'] as BackendName | undefined) || 'cpu';
}

/**
 * `count` precomputed samples of the sdxl-tiny shapes (what the SDXL data plugins would cache): N(0, 1) latents
 * `[latent, latent, 4]`, prompt embeddings `[77, 64]` (32 + 32 of the two tiny encoders), pooled `[32]`, and the
 * micro-conditioning of a `latent × 2`-pixel image (the tiny VAE downsamples by 2).
 */
export function tinySamples(count: number, latent: number, seed: number): Sample[] {
  const random = Rng.fromSeed(seed, 'tiny-samples');
  const normal = (size: number) => Float32Array.from({ length: size }, () => random.normal());
  const pixels = latent * 2;
  return Array.from({ length: count }, () => ({
    [SdxlSampleKey.modelInput]: { data: normal(latent * latent * 4), shape: [latent, latent, 4] },
    [SdxlSampleKey.promptEmbeds]: { data: normal(77 * 64), shape: [77, 64] },
    [SdxlSampleKey.pooledPromptEmbeds]: { data: normal(32), shape: [32] },
    [SdxlSampleKey.originalSize]: [pixels, pixels],
    [SdxlSampleKey.cropTopLeft]: [0, 0],
    [SdxlSampleKey.targetSize]: [pixels, pixels],
  }));
}

/** Provides the samples as the run's dataset. */
export function samplesPlugin(samples: readonly Sample[]): TrainerPlugin {
  const name = 'test:samples';
  return { name, apply: (trainer) => void trainer.hooks.prepareDataset.tap(name, () => new ArrayDataset([...samples])) };
}

/** A copy of every UNet weight by parameter name. */
export function unetWeights(unet: UNet2DConditionModel): Map<string, Float32Array> {
  return new Map(unet.namedParameters().map(([name, parameter]) => [name, parameter.value.dataSync().slice() as Float32Array]));
}

/** True when both weight maps hold the same names and bit-identical values. */
export function sameWeights(a: ReadonlyMap<string, Float32Array>, b: ReadonlyMap<string, Float32Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, values] of a) {
    const other = b.get(name);
    if (other === undefined || other.length !== values.length || !values.every((v, i) => Object.is(v, other[i]))) return false;
  }
  return true;
}

/** Width and height from a PNG file's IHDR chunk (PNG spec §11.2.2), checking the signature. */
export async function pngSize(path: string): Promise<{ width: number; height: number }> {
  const bytes = await readFile(path);
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!signature.every((b, i) => bytes[i] === b) || bytes.toString('latin1', 12, 16) !== 'IHDR') throw new Error(`${path} is not a PNG`);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
