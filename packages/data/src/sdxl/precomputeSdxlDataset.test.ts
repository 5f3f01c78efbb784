import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isSdxlError } from '@sdxl-trainer/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostTensor } from '@sdxl-trainer/core';
import { coordinateImage, jpeg, png, smoothImage } from '../testing/images.js';
import { FakeTextEmbedder, PoolingLatentEncoder } from '../testing/fakeEncoders.js';
import { removeTempDirs, tempDir } from '../testing/tempDirs.js';
import { openImageSource } from '../source/openImageSource.js';
import type { ImageSource } from '../source/ImageSource.js';
import { precomputeSdxlDataset, type PrecomputeOptions } from './precomputeSdxlDataset.js';
import type { SdxlSample } from './SdxlSample.js';

afterAll(removeTempDirs);

const RES = 32;
const toUnit = (v: number) => Math.fround((Math.fround(v / 255) - 0.5) / 0.5);

/** Images whose shorter side is already RES (no resampling), so a pixel's R is its x and G its y. */
const IMAGES: Record<string, [number, number]> = { wide: [96, 32], tall: [32, 72], square: [32, 32], wider: [120, 32] };

let root: string;
let source: ImageSource;
beforeAll(async () => {
  root = await tempDir();
  const lines: string[] = [];
  for (const [name, [w, h]] of Object.entries(IMAGES)) {
    await writeFile(join(root, `${name}.png`), await png(coordinateImage(w, h), w, h));
    lines.push(JSON.stringify({ file_name: `${name}.png`, text: name === 'wider' ? ['first option', 'second option'] : `a ${name} picture` }));
  }
  await writeFile(join(root, 'metadata.jsonl'), `${lines.join('\n')}\n`);
  source = await openImageSource({ trainDataDir: root });
});

async function run(more: Partial<PrecomputeOptions> & { cacheDir: string }) {
  const textEmbedder = more.textEmbedder ?? new FakeTextEmbedder();
  const latentEncoder = more.latentEncoder ?? new PoolingLatentEncoder();
  const result = await precomputeSdxlDataset({ source, textEmbedder, latentEncoder, transform: { resolution: RES, randomFlip: true, interpolation: 'nearest' }, seed: 5, ...more });
  return { ...result, textEmbedder: textEmbedder as FakeTextEmbedder, latentEncoder: latentEncoder as PoolingLatentEncoder };
}

/** Mean of channel c over latent block (by, bx) as the pooling encoder computes it from the crop the sample names. */
function expectedBlockMean(sample: SdxlSample, width: number, c: 0 | 1, by: number, bx: number, flip: boolean): number {
  const [y1, x1] = sample.cropTopLeft;
  let sum = 0;
  for (let y = by * 8; y < by * 8 + 8; y++) {
    for (let x = bx * 8; x < bx * 8 + 8; x++) {
      const sx = flip ? width - 1 - (x1 + x) : x1 + x;
      sum += toUnit(c === 0 ? sx : y1 + y) / 64;
    }
  }
  return sum;
}
const latentAt = (t: HostTensor, by: number, bx: number, c: number) => t.data[(by * (RES / 8) + bx) * 4 + c]!;

describe('precomputeSdxlDataset', () => {
  it('produces the SDXL sample format, each latent with the crop and flip it was made from', async () => {
    const cacheDir = await tempDir();
    const { dataset, summary } = await run({ cacheDir, augmentationVariants: 3 });
    expect(dataset.size).toBe(4);
    expect(summary).toMatchObject({ samples: 4, skipped: [] });
    const names = Object.keys(IMAGES);
    for (let epoch = 0; epoch < 3; epoch++) {
      for (let i = 0; i < dataset.size; i++) {
        const sample = await dataset.getInEpoch(i, epoch);
        const [w, h] = IMAGES[names[i]!]!;
        const variant = dataset.samples[i]!.variants[epoch % 3]!;
        expect(sample.modelInput.shape).toEqual([RES / 8, RES / 8, 4]);
        expect(sample.promptEmbeds.shape).toEqual([77, 8]);
        expect(sample.pooledPromptEmbeds.shape).toEqual([4]);
        expect(sample.originalSize).toEqual([h, w]);
        expect(sample.targetSize).toEqual([RES, RES]);
        expect(sample.cropTopLeft).toEqual(variant.cropTopLeft);
        expect(sample.cropTopLeft[0] + RES).toBeLessThanOrEqual(h);
        expect(sample.cropTopLeft[1] + RES).toBeLessThanOrEqual(w);
        for (const [by, bx] of [[0, 0], [1, 3], [3, 2]] as const) {
          expect(latentAt(sample.modelInput, by, bx, 0)).toBeCloseTo(expectedBlockMean(sample, w, 0, by, bx, variant.flip), 5);
          expect(latentAt(sample.modelInput, by, bx, 1)).toBeCloseTo(expectedBlockMean(sample, w, 1, by, bx, variant.flip), 5);
        }
        expect(sample.pooledPromptEmbeds.data[0]).toBe(FakeTextEmbedder.code(sample.caption));
      }
    }
    const wideCrops = new Set(dataset.samples[0]!.variants.map((v) => `${v.cropTopLeft.join(',')}/${v.flip}`));
    expect(wideCrops.size).toBeGreaterThan(1); // variants really differ
  });

  it('encodes every option of a list caption and picks one per epoch', async () => {
    const { dataset, textEmbedder } = await run({ cacheDir: await tempDir() });
    expect(textEmbedder.batches.flat().sort()).toEqual(['a square picture', 'a tall picture', 'a wide picture', 'first option', 'second option']);
    const picked = new Set<string>();
    for (let epoch = 0; epoch < 20; epoch++) picked.add((await dataset.getInEpoch(3, epoch)).caption);
    expect([...picked].sort()).toEqual(['first option', 'second option']);
  });

  it('reuses the cache on a second run and when unrelated settings change', async () => {
    const cacheDir = await tempDir();
    const first = await run({ cacheDir });
    expect(first.summary.text).toMatchObject({ hits: 0, computed: 5, recovered: 0 });
    expect(first.summary.latents).toMatchObject({ hits: 0, computed: 4, recovered: 0 });
    expect(first.summary.latents.bytesOnDisk).toBeGreaterThan(4 * (RES / 8) ** 2 * 4 * 4);
    // batch sizes and concurrency are run settings, like the learning rate or the output folder
    const lines: string[] = [];
    const logger = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), debug: () => {}, error: () => {} };
    const second = await run({ cacheDir, textBatchSize: 2, latentBatchSize: 1, decodeConcurrency: 1, logger });
    expect(lines.at(-1)).toMatch(/^precompute: 4 samples; text 5 cached \+ 0 computed, [\d.]+ MiB; latents 4 cached \+ 0 computed, [\d.]+ MiB; 0 skipped/);
    expect(second.summary.text).toMatchObject({ hits: 5, computed: 0 });
    expect(second.summary.latents).toMatchObject({ hits: 4, computed: 0 });
    expect(second.summary.latents.bytesOnDisk).toBe(first.summary.latents.bytesOnDisk);
    expect(second.textEmbedder.batches).toEqual([]);
    expect(second.latentEncoder.batches).toEqual([]);
    for (let i = 0; i < 4; i++) expect(await second.dataset.get(i)).toEqual(await first.dataset.get(i));
  });

  it('recomputes what a relevant change touches, and only that', async () => {
    const cacheDir = await tempDir();
    await run({ cacheDir });
    const latentsComputed = async (more: Partial<PrecomputeOptions>) => (await run({ cacheDir, ...more })).summary.latents.computed;
    expect(await latentsComputed({ latentEncoder: new PoolingLatentEncoder('fake-vae@v2') })).toBe(4);
    expect(await latentsComputed({ transform: { resolution: 16, randomFlip: true, interpolation: 'nearest' } })).toBe(4);
    expect(await latentsComputed({ transform: { resolution: RES, randomFlip: true, interpolation: 'bilinear' } })).toBeGreaterThan(0);
    expect(await latentsComputed({ transform: { resolution: RES, centerCrop: true, interpolation: 'nearest' } })).toBeGreaterThan(0);
    const newEmbedder = await run({ cacheDir, textEmbedder: new FakeTextEmbedder('fake-text@v2') });
    expect(newEmbedder.summary.text).toMatchObject({ hits: 0, computed: 5 });
    expect(newEmbedder.summary.latents).toMatchObject({ computed: 0 });
  });

  it('encodes in bounded batches', async () => {
    const { textEmbedder, latentEncoder } = await run({ cacheDir: await tempDir(), textBatchSize: 2, latentBatchSize: 3, augmentationVariants: 2 });
    expect(textEmbedder.batches.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(Math.max(...latentEncoder.batches)).toBeLessThanOrEqual(3);
    expect(latentEncoder.batches.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(5);
  });

  it('detects corrupt and truncated entries on disk and recomputes them', async () => {
    const cacheDir = await tempDir();
    const first = await run({ cacheDir });
    const files = async (kind: string) => (await readdir(join(cacheDir, kind), { recursive: true })).filter((f) => f.endsWith('.bin')).map((f) => join(cacheDir, kind, f));
    const [latent] = await files('latents');
    const [text] = await files('text');
    const latentBytes = await readFile(latent!);
    await writeFile(latent!, latentBytes.subarray(0, latentBytes.length - 7));
    const textBytes = await readFile(text!);
    textBytes[textBytes.length - 5]! ^= 0xff;
    await writeFile(text!, textBytes);
    const second = await run({ cacheDir });
    expect(second.summary.latents).toMatchObject({ hits: 3, computed: 1, recovered: 1 });
    expect(second.summary.text).toMatchObject({ hits: 4, computed: 1, recovered: 1 });
    for (let i = 0; i < 4; i++) expect(await second.dataset.get(i)).toEqual(await first.dataset.get(i));
  });

  it('a damaged entry found while training names the entry and the sample', async () => {
    const cacheDir = await tempDir();
    const { dataset } = await run({ cacheDir });
    const path = join(cacheDir, 'latents', dataset.samples[1]!.variants[0]!.key.slice(0, 2), `${dataset.samples[1]!.variants[0]!.key}.bin`);
    await writeFile(path, (await readFile(path)).subarray(0, 50));
    await expect(dataset.get(1)).rejects.toMatchObject({ code: 'DATA_CACHE_CORRUPT', message: expect.stringContaining('tall.png') });
  });

  it('refuses encoder output of the wrong shape or count', async () => {
    const broken = { id: 'broken', encode: async (images: readonly HostTensor[]) => images.map(() => ({ data: new Float32Array(4), shape: [1, 1, 4] })) };
    await expect(run({ cacheDir: await tempDir(), latentEncoder: broken as never })).rejects.toMatchObject({ code: 'DATA_ENCODER_OUTPUT_INVALID' });
    const short = { id: 'short', encode: async () => ({ promptEmbeds: [], pooled: [] }) };
    await expect(run({ cacheDir: await tempDir(), textEmbedder: short as never })).rejects.toMatchObject({ code: 'DATA_ENCODER_OUTPUT_INVALID', message: expect.stringMatching(/expected \d+ tensors, got 0/) });
  });
});

describe('bad images during precompute', () => {
  let bad: ImageSource;
  beforeAll(async () => {
    const dir = await tempDir();
    await mkdir(dir, { recursive: true });
    const good = await png(coordinateImage(40, 32), 40, 32);
    const photo = await jpeg(smoothImage(64, 64), 64, 64);
    const files: Record<string, Uint8Array | string> = {
      'a_good.png': good,
      'b_corrupt.png': Buffer.concat([good.subarray(0, 40), Buffer.alloc(200, 7)]),
      'c_truncated.jpg': photo.subarray(0, Math.floor(photo.length / 2)),
      'd_text.png': 'this is not an image',
      'e_good.jpg': photo,
    };
    for (const [name, content] of Object.entries(files)) {
      await writeFile(join(dir, name), content);
      await writeFile(join(dir, name.replace(/\.\w+$/, '.txt')), `caption of ${name}`);
    }
    bad = await openImageSource({ trainDataDir: dir });
  });

  it('stops at the first bad image with an SdxlError naming file and row', async () => {
    try {
      await precomputeSdxlDataset({ source: bad, textEmbedder: new FakeTextEmbedder(), latentEncoder: new PoolingLatentEncoder(), cacheDir: await tempDir(), transform: { resolution: RES }, decodeConcurrency: 1 });
      expect.unreachable();
    } catch (error) {
      expect(isSdxlError(error) && error.code).toBe('DATA_IMAGE_INVALID');
      expect((error as Error).message).toMatch(/^b_corrupt\.png row 1/);
    }
  });

  it('skips bad images when asked, and lists them in the summary', async () => {
    const { dataset, summary } = await precomputeSdxlDataset({
      source: bad,
      textEmbedder: new FakeTextEmbedder(),
      latentEncoder: new PoolingLatentEncoder(),
      cacheDir: await tempDir(),
      transform: { resolution: RES },
      onBadSample: 'skip',
    });
    expect(dataset.size).toBe(2);
    expect(summary.skipped.map((s) => [s.file, s.row, s.code])).toEqual([
      ['b_corrupt.png', 1, 'DATA_IMAGE_INVALID'],
      ['c_truncated.jpg', 2, 'DATA_IMAGE_INVALID'],
      ['d_text.png', 3, 'DATA_IMAGE_INVALID'],
    ]);
    expect((await dataset.get(1)).caption).toBe('caption of e_good.jpg');
  });
});
