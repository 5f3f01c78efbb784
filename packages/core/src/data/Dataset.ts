import type * as tf from '@tensorflow/tfjs-core';

/** A tensor held in host memory (no tfjs tensor yet): values in row-major order and a shape. */
export interface HostTensor {
  readonly data: Float32Array | Int32Array;
  readonly shape: readonly number[];
}

/**
 * One value of a sample. Tensors and host tensors are stacked into a batch tensor; numbers become a
 * `[batch]` tensor; number arrays a `[batch, n]` tensor; strings (and anything else) are passed through.
 */
export type SampleValue = tf.Tensor | HostTensor | number | readonly number[] | string | readonly string[] | boolean | null;

/** One training example: named values (e.g. `modelInput`, `prompt_embeds`, `original_size`). */
export type Sample = Readonly<Record<string, SampleValue>>;

/** Random-access training data. Sources, transforms and caches each produce one (the prepareDataset waterfall). */
export interface Dataset<S extends Sample = Sample> {
  /** Number of samples. */
  readonly size: number;
  /** The sample at `index` (0 <= index < size). */
  get(index: number): S | Promise<S>;
}

/** A dataset over an array of samples. */
export class ArrayDataset<S extends Sample = Sample> implements Dataset<S> {
  constructor(private readonly samples: readonly S[]) {}
  get size(): number {
    return this.samples.length;
  }
  get(index: number): S {
    const sample = this.samples[index];
    if (sample === undefined) throw new RangeError(`sample index ${index} is outside 0..${this.samples.length - 1}`);
    return sample;
  }
}

/** The dataset a run starts from before any plugin provides data. */
export const emptyDataset: Dataset = new ArrayDataset([]);
