import { rm } from 'node:fs/promises';
import type { HostTensor } from '@sdxl-trainer/core';
import type { LatentEncoder, TextEmbedder } from '../cache/encoders.js';
import type { ImageSource, SourceRecord } from '../source/ImageSource.js';
import { precomputeSdxlDataset, type PrecomputeSummary } from '../sdxl/precomputeSdxlDataset.js';

/** Real SDXL sizes, constant values: measures hashing, serialisation and disk I/O, not a model. */
const trivialText: TextEmbedder = {
  id: 'trivial-text',
  encode: async (prompts) => ({
    promptEmbeds: prompts.map((): HostTensor => ({ data: new Float32Array(77 * 2048).fill(0.5), shape: [77, 2048] })),
    pooled: prompts.map((): HostTensor => ({ data: new Float32Array(1280).fill(0.25), shape: [1280] })),
  }),
};
const trivialVae = (resolution: number): LatentEncoder => ({
  id: 'trivial-vae',
  encode: async (images) => images.map((): HostTensor => ({ data: new Float32Array((resolution / 8) ** 2 * 4).fill(0.1), shape: [resolution / 8, resolution / 8, 4] })),
});

/** An in-memory source of `count` copies of distinct JPEGs (distinct captions, distinct content hashes). */
export function memorySource(images: readonly Uint8Array[], count: number): ImageSource {
  return {
    description: 'bench',
    size: count,
    columns: ['image', 'text'],
    skipped: [],
    origin: (i) => ({ file: 'memory', row: i }),
    caption: (i) => `bench caption number ${i}`,
    read: async (i): Promise<SourceRecord> => ({ index: i, origin: { file: 'memory', row: i }, image: images[i % images.length]!, caption: `bench caption number ${i}` }),
  };
}

/** Throughput of a precompute: samples/s and MiB/s written (cold) or verified (warm). */
export interface PrecomputeResult {
  readonly samples: number;
  readonly samplesPerSecond: number;
  readonly mibPerSecond: number;
  readonly textEntries: number;
  readonly latentEntries: number;
}

function result(summary: PrecomputeSummary): PrecomputeResult {
  const mib = (summary.text.bytesOnDisk + summary.latents.bytesOnDisk) / 2 ** 20;
  return {
    samples: summary.samples,
    samplesPerSecond: Number((summary.samples / summary.seconds).toFixed(1)),
    mibPerSecond: Number((mib / summary.seconds).toFixed(1)),
    textEntries: summary.text.hits + summary.text.computed,
    latentEntries: summary.latents.hits + summary.latents.computed,
  };
}

/** A cold precompute (empty cache: decode, encode trivially, write) then a warm one (all hits: read, hash, verify). */
export async function benchPrecompute(source: ImageSource, resolution: number, cacheDir: string): Promise<{ cold: PrecomputeResult; warm: PrecomputeResult }> {
  await rm(cacheDir, { recursive: true, force: true });
  const options = { source, textEmbedder: trivialText, latentEncoder: trivialVae(resolution), cacheDir, transform: { resolution } };
  const cold = await precomputeSdxlDataset(options);
  const warm = await precomputeSdxlDataset(options);
  await rm(cacheDir, { recursive: true, force: true });
  return { cold: result(cold.summary), warm: result(warm.summary) };
}
