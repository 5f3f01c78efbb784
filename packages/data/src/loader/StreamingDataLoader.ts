import { availableParallelism } from 'node:os';
import { Rng, type DataLoader, type DataLoaderFactory, type Dataset, type LoadedBatch, type Sample } from '@sdxl-trainer/core';
import { concatMap, from, map, range, zipWith } from 'rxjs';
import { isEpochAware } from '../sdxl/SdxlSample.js';
import { pullIterator } from './pullIterator.js';
import { Semaphore } from './Semaphore.js';

/** How the loader batches, shuffles and prefetches. */
export interface StreamingLoaderOptions {
  readonly batchSize: number;
  readonly seed: number;
  /** Batches loaded ahead of the one the trainer holds (default 2). */
  readonly prefetch?: number | undefined;
  /** Samples loaded (decoded, read from the cache) at once, across batches (default: the number of CPUs). */
  readonly concurrency?: number | undefined;
  /** Leave out the last, short batch (default false, as torch's DataLoader). */
  readonly dropLast?: boolean | undefined;
}

/** What the loader has done, for tests and logs. */
export interface LoaderStats {
  /** Most samples loading at once. */
  readonly maxSamplesInFlight: number;
  /** Most batches started (loading or loaded) but not yet taken by the consumer. */
  readonly maxBatchesAhead: number;
}

/**
 * Core's {@link DataLoader} over any dataset, as an rxjs pipeline: a fresh permutation per epoch derived from seed
 * and epoch only (the same order as core's default loader, so a resume needs no generator state), batches started
 * in order as credits allow — at most `prefetch` ahead of the consumer — with samples loaded `concurrency` at a
 * time, delivered in order. `epoch(e, k)` starts at batch k and yields exactly what an uninterrupted epoch yields
 * from there. Datasets with `getInEpoch` (augmentation variants, caption choice) are asked by epoch.
 */
export class StreamingDataLoader implements DataLoader {
  readonly batchesPerEpoch: number;
  readonly #samples: Semaphore;
  readonly #prefetch: number;
  #maxAhead = 0;

  constructor(
    private readonly dataset: Dataset,
    private readonly options: StreamingLoaderOptions,
  ) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${options.batchSize}`);
    this.#prefetch = Math.max(1, options.prefetch ?? 2);
    this.#samples = new Semaphore(Math.max(1, options.concurrency ?? availableParallelism()));
    const batches = dataset.size / options.batchSize;
    this.batchesPerEpoch = options.dropLast ? Math.floor(batches) : Math.ceil(batches);
  }

  /** The sample order of `epoch` (a permutation of 0..size-1). */
  order(epoch: number): Int32Array {
    return Rng.fromSeed(this.options.seed, `data/epoch-${epoch}`).permutation(this.dataset.size);
  }

  get stats(): LoaderStats {
    return { maxSamplesInFlight: this.#samples.maxInUse, maxBatchesAhead: this.#maxAhead };
  }

  epoch(epoch: number, startBatch = 0): AsyncIterable<LoadedBatch> {
    if (!Number.isInteger(startBatch) || startBatch < 0 || startBatch > this.batchesPerEpoch) {
      throw new RangeError(`startBatch must be in 0..${this.batchesPerEpoch}, got ${startBatch}`);
    }
    const order = this.order(epoch);
    const count = this.batchesPerEpoch - startBatch;
    return {
      [Symbol.asyncIterator]: () => {
        let ahead = 0;
        return pullIterator(
          (credits$) =>
            range(startBatch, count).pipe(
              zipWith(credits$),
              map(([index]) => {
                this.#maxAhead = Math.max(this.#maxAhead, ++ahead);
                return this.#start(order, epoch, index);
              }),
              concatMap((batch) => from(batch)),
            ),
          this.#prefetch,
          () => ahead--,
        );
      },
    };
  }

  #start(order: Int32Array, epoch: number, index: number): Promise<LoadedBatch> {
    const { batchSize } = this.options;
    const indices = Array.from(order.subarray(index * batchSize, (index + 1) * batchSize));
    const dataset = this.dataset;
    const load = (i: number): Promise<Sample> => this.#samples.run(async () => (isEpochAware(dataset) ? dataset.getInEpoch(i, epoch) : dataset.get(i)));
    const batch = Promise.all(indices.map(load)).then((samples) => ({ index, indices, samples }));
    // why: a batch loaded ahead may fail after the consumer stopped listening; that must not be an unhandled rejection.
    batch.catch(() => undefined);
    return batch;
  }
}

/** A core `DataLoaderFactory` making {@link StreamingDataLoader}s (register it under core's `DataLoaderFactory` token). */
export function streamingDataLoaderFactory(options: Omit<StreamingLoaderOptions, 'batchSize' | 'seed'> = {}): DataLoaderFactory {
  return (dataset, { batchSize, seed }) => new StreamingDataLoader(dataset, { ...options, batchSize, seed });
}
