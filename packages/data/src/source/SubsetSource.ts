import { Rng } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { CaptionCell, ImageSource, SampleOrigin, SourceRecord } from './ImageSource.js';

/** The rows of another source at `indices`, in that order. */
export class SubsetSource implements ImageSource {
  constructor(
    private readonly source: ImageSource,
    private readonly indices: readonly number[],
  ) {}

  get description(): string {
    return `${this.source.description} (${this.indices.length} of ${this.source.size} rows)`;
  }
  get size(): number {
    return this.indices.length;
  }
  get columns(): readonly string[] {
    return this.source.columns;
  }
  get skipped() {
    return this.source.skipped;
  }
  origin(index: number): SampleOrigin {
    return this.source.origin(this.#map(index));
  }
  caption(index: number): CaptionCell {
    return this.source.caption(this.#map(index));
  }
  async read(index: number): Promise<SourceRecord> {
    return { ...(await this.source.read(this.#map(index))), index };
  }

  #map(index: number): number {
    const inner = this.indices[index];
    if (inner === undefined) throw new RangeError(`row ${index} is outside 0..${this.indices.length - 1} of ${this.description}`);
    return inner;
  }
}

/**
 * `--max_train_samples`: `dataset.shuffle(seed).select(range(n))` — the first `n` rows of a seeded permutation, in
 * permuted order. Same idea as the script, our generator (so not the same rows as Python picks). With `n` at least
 * the size, every row is kept, shuffled.
 */
export function selectSamples(source: ImageSource, maxTrainSamples: number, seed: number): ImageSource {
  if (!Number.isInteger(maxTrainSamples) || maxTrainSamples < 1) {
    throw new SdxlError(ErrorCode.DATA_OPTION_INVALID, `max_train_samples must be a positive integer, got ${maxTrainSamples}`, { details: { field: 'maxTrainSamples', value: maxTrainSamples } });
  }
  const order = Rng.fromSeed(seed, 'data/max-train-samples').permutation(source.size);
  return new SubsetSource(source, Array.from(order.subarray(0, Math.min(maxTrainSamples, source.size))));
}
