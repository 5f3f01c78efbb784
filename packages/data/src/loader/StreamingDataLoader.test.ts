import { Rng, ShuffledDataLoader, type Dataset, type LoadedBatch, type Sample } from '@sdxl-trainer/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { StreamingDataLoader, streamingDataLoaderFactory } from './StreamingDataLoader.js';

/** A dataset that records every request and how many are in flight; each load takes `delayMs`. */
class ProbeDataset implements Dataset {
  readonly requested: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    readonly size: number,
    private readonly delayMs = 1,
    private readonly failAt?: number,
  ) {}
  async get(index: number): Promise<Sample> {
    this.requested.push(index);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await sleep(this.delayMs);
    this.inFlight--;
    if (index === this.failAt) throw new Error(`sample ${index} is broken`);
    return { id: index };
  }
}

async function collect(batches: AsyncIterable<LoadedBatch>): Promise<LoadedBatch[]> {
  const out: LoadedBatch[] = [];
  for await (const batch of batches) out.push(batch);
  return out;
}

describe('StreamingDataLoader', () => {
  it('covers every sample once per epoch, in a seeded order with a short last batch', async () => {
    const loader = new StreamingDataLoader(new ProbeDataset(23), { batchSize: 5, seed: 7 });
    expect(loader.batchesPerEpoch).toBe(5);
    const batches = await collect(loader.epoch(0));
    expect(batches.map((b) => b.index)).toEqual([0, 1, 2, 3, 4]);
    expect(batches.map((b) => b.samples.length)).toEqual([5, 5, 5, 5, 3]);
    const seen = batches.flatMap((b) => b.indices);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(batches.flatMap((b) => b.samples.map((s) => s['id']))).toEqual(seen);
    // the permutation is the one derived from seed and epoch alone
    expect(seen).toEqual(Array.from(Rng.fromSeed(7, 'data/epoch-0').permutation(23)));
  });

  it('gives the same order as core\'s default loader, and drops the short batch when asked', async () => {
    const dataset = new ProbeDataset(11);
    const ours = await collect(new StreamingDataLoader(dataset, { batchSize: 4, seed: 3 }).epoch(2));
    const core = await collect(new ShuffledDataLoader(dataset, { batchSize: 4, seed: 3 }).epoch(2));
    expect(ours.map((b) => b.indices)).toEqual(core.map((b) => b.indices));
    const dropped = new StreamingDataLoader(dataset, { batchSize: 4, seed: 3, dropLast: true });
    expect(dropped.batchesPerEpoch).toBe(2);
    expect((await collect(dropped.epoch(0))).length).toBe(2);
  });

  it('is reproducible by seed; another seed or epoch gives another order', async () => {
    const order = async (seed: number, epoch: number) => (await collect(new StreamingDataLoader(new ProbeDataset(30), { batchSize: 6, seed }).epoch(epoch))).flatMap((b) => b.indices);
    expect(await order(1, 0)).toEqual(await order(1, 0));
    expect(await order(1, 0)).not.toEqual(await order(2, 0));
    expect(await order(1, 0)).not.toEqual(await order(1, 1));
  });

  it('resumes exactly: epoch(e, k) yields what an uninterrupted epoch yields from batch k', async () => {
    const full = await collect(new StreamingDataLoader(new ProbeDataset(37), { batchSize: 4, seed: 11 }).epoch(3));
    for (const k of [1, 4, 9, 10]) {
      // a fresh loader, as after a restart from a checkpoint that saved (epoch 3, batch k)
      const resumed = await collect(new StreamingDataLoader(new ProbeDataset(37), { batchSize: 4, seed: 11 }).epoch(3, k));
      expect(resumed.map((b) => [b.index, b.indices])).toEqual(full.slice(k).map((b) => [b.index, b.indices]));
    }
    // the batch after an interruption mid-epoch
    const loader = new StreamingDataLoader(new ProbeDataset(37), { batchSize: 4, seed: 11 });
    const it1 = loader.epoch(3)[Symbol.asyncIterator]();
    await it1.next();
    await it1.next();
    await it1.return?.();
    const next = await loader.epoch(3, 2)[Symbol.asyncIterator]().next();
    expect(next.value).toMatchObject({ index: 2, indices: full[2]!.indices });
  });

  it('loads at most `prefetch` batches ahead of the consumer and `concurrency` samples at once', async () => {
    const dataset = new ProbeDataset(64, 2);
    const loader = new StreamingDataLoader(dataset, { batchSize: 4, seed: 0, prefetch: 2, concurrency: 3 });
    let taken = 0;
    for await (const batch of loader.epoch(0)) {
      taken++;
      await sleep(15); // a slow training step: the loader must wait, not run through the epoch
      // requested samples never exceed the batches taken plus the prefetch window (counted on the dataset side)
      expect(dataset.requested.length, `after batch ${batch.index}`).toBeLessThanOrEqual((taken + 2) * 4);
    }
    expect(taken).toBe(16);
    expect(dataset.maxInFlight).toBeLessThanOrEqual(3);
    expect(dataset.maxInFlight).toBeGreaterThan(1); // it does load in parallel
    expect(loader.stats).toEqual({ maxSamplesInFlight: dataset.maxInFlight, maxBatchesAhead: 2 });
  });

  it('stops loading when the consumer leaves early', async () => {
    const dataset = new ProbeDataset(100, 1);
    const loader = new StreamingDataLoader(dataset, { batchSize: 2, seed: 0, prefetch: 3 });
    for await (const batch of loader.epoch(0)) if (batch.index === 1) break;
    await sleep(30);
    expect(dataset.requested.length).toBeLessThanOrEqual((2 + 3) * 2);
  });

  it('surfaces a failing sample as an error of the iteration, without unhandled rejections', async () => {
    const loader = new StreamingDataLoader(new ProbeDataset(20, 1, 13), { batchSize: 4, seed: 5 });
    const failing = loader.order(0).indexOf(13);
    const got: number[] = [];
    await expect(async () => {
      for await (const batch of loader.epoch(0)) got.push(batch.index);
    }).rejects.toThrow('sample 13 is broken');
    expect(got).toEqual(Array.from({ length: Math.floor(failing / 4) }, (_, i) => i));
  });

  it('asks epoch-aware datasets by epoch', async () => {
    const epochs: number[] = [];
    const dataset = { size: 4, get: () => ({}), getInEpoch: (_i: number, epoch: number) => (epochs.push(epoch), { epoch }) };
    const make = streamingDataLoaderFactory({ prefetch: 1 });
    const batches = await collect(make(dataset, { batchSize: 2, seed: 0 }).epoch(5));
    expect(batches.flatMap((b) => b.samples.map((s) => s['epoch']))).toEqual([5, 5, 5, 5]);
  });
});
