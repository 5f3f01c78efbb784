import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collate, type LoadedBatch } from '@sdxl-trainer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamingDataLoader } from '../loader/StreamingDataLoader.js';
import { openImageSource } from '../source/openImageSource.js';
import { FakeTextEmbedder, PoolingLatentEncoder } from '../testing/fakeEncoders.js';
import { png, smoothImage } from '../testing/images.js';
import { removeTempDirs, tempDir } from '../testing/tempDirs.js';
import { precomputeSdxlDataset } from './precomputeSdxlDataset.js';
import type { SdxlLatentDataset } from './SdxlLatentDataset.js';

afterAll(removeTempDirs);

let dataset: SdxlLatentDataset;
beforeAll(async () => {
  await tf.setBackend('cpu');
  const dir = await tempDir();
  for (let i = 0; i < 7; i++) {
    const [w, h] = [40 + i * 9, 32 + (i % 3) * 5];
    await writeFile(join(dir, `img${i}.png`), await png(smoothImage(w, h), w, h));
    await writeFile(join(dir, `img${i}.txt`), `picture number ${i}`);
  }
  const source = await openImageSource({ trainDataDir: dir });
  ({ dataset } = await precomputeSdxlDataset({
    source,
    textEmbedder: new FakeTextEmbedder(),
    latentEncoder: new PoolingLatentEncoder(),
    cacheDir: await tempDir(),
    transform: { resolution: 32, randomFlip: true },
    augmentationVariants: 2,
  }));
});

async function collect(batches: AsyncIterable<LoadedBatch>): Promise<LoadedBatch[]> {
  const out: LoadedBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

describe('precomputed dataset + loader + core collate', () => {
  it('collates into the tensors the SDXL step consumes', async () => {
    const loader = new StreamingDataLoader(dataset, { batchSize: 3, seed: 9 });
    const [first] = await collect(loader.epoch(0));
    const shapes = tf.tidy(() => {
      const batch = collate(first!.samples, first!.indices);
      return Object.fromEntries(Object.entries(batch.tensors).map(([k, t]) => [k, t.shape]));
    });
    expect(shapes).toEqual({ modelInput: [3, 4, 4, 4], promptEmbeds: [3, 77, 8], pooledPromptEmbeds: [3, 4], originalSize: [3, 2], cropTopLeft: [3, 2], targetSize: [3, 2] });
  });

  it('resumes mid-epoch to exactly the samples (variant and caption included) of an uninterrupted run', async () => {
    const epoch = 1;
    const full = await collect(new StreamingDataLoader(dataset, { batchSize: 2, seed: 9 }).epoch(epoch));
    const resumed = await collect(new StreamingDataLoader(dataset, { batchSize: 2, seed: 9 }).epoch(epoch, 2));
    expect(resumed).toEqual(full.slice(2));
    // epoch 1 uses the second augmentation variant of every sample
    for (const batch of full) batch.samples.forEach((s, i) => expect(s['cropTopLeft']).toEqual(dataset.samples[batch.indices[i]!]!.variants[1]!.cropTopLeft));
  });
});
