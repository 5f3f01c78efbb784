import type { InjectionToken } from '../di.js';
import { Rng } from '@sdxl-trainer/tensor';
import type { Dataset, Sample } from './Dataset.js';

/** The samples of one micro-batch as the loader delivers them (collation happens inside the step). */
export interface LoadedBatch {
  /** Position of this batch within its epoch. */
  readonly index: number;
  /** Dataset indices of the samples. */
  readonly indices: readonly number[];
  readonly samples: readonly Sample[];
}

/** Delivers an epoch's batches in a reproducible order, and can start mid-epoch for an exact resume. */
export interface DataLoader {
  /** Number of batches in each epoch. */
  readonly batchesPerEpoch: number;
  /** The batches of `epoch`, starting at batch `startBatch` (0 for a fresh epoch). */
  epoch(epoch: number, startBatch?: number): AsyncIterable<LoadedBatch>;
}

/** What the trainer passes a {@link DataLoaderFactory}. */
export interface DataLoaderOptions {
  readonly batchSize: number;
  readonly seed: number;
}

/** Builds the run's loader once the dataset is known; the data plugins replace it through DI. */
export type DataLoaderFactory = (dataset: Dataset, options: DataLoaderOptions) => DataLoader;

/** DI token of the {@link DataLoaderFactory}. */
export const DataLoaderFactory: InjectionToken<DataLoaderFactory> = Symbol.for('@sdxl-trainer/core:DataLoaderFactory');

/**
 * The default loader: a fresh seeded shuffle every epoch (the permutation depends only on seed and epoch,
 * so a resumed run sees the same order), batches in order, the last batch short (torch's drop_last=False).
 */
export class ShuffledDataLoader implements DataLoader {
  readonly batchesPerEpoch: number;

  constructor(
    private readonly dataset: Dataset,
    private readonly options: DataLoaderOptions,
  ) {
    this.batchesPerEpoch = Math.ceil(dataset.size / options.batchSize);
  }

  async *epoch(epoch: number, startBatch = 0): AsyncIterable<LoadedBatch> {
    const order = Rng.fromSeed(this.options.seed, `data/epoch-${epoch}`).permutation(this.dataset.size);
    for (let index = startBatch; index < this.batchesPerEpoch; index++) {
      const indices = Array.from(order.subarray(index * this.options.batchSize, (index + 1) * this.options.batchSize));
      const samples = await Promise.all(indices.map((i) => this.dataset.get(i)));
      yield { index, indices, samples };
    }
  }
}

/** The default {@link DataLoaderFactory}. */
export const shuffledDataLoaderFactory: DataLoaderFactory = (dataset, options) => new ShuffledDataLoader(dataset, options);
