import * as tf from '@tensorflow/tfjs-core';
import type { HostTensor, Sample, SampleValue } from './Dataset.js';

/** Samples collated for one micro-batch: stacked tensors by key, everything else as lists. */
export interface Batch {
  /** Number of samples. */
  readonly size: number;
  /** Dataset indices of the samples, in batch order. */
  readonly indices: readonly number[];
  /** Stacked tensors: a batch axis first, then the per-sample shape. */
  readonly tensors: Readonly<Record<string, tf.Tensor>>;
  /** Values that are not tensors (strings, flags, metadata), one per sample. */
  readonly values: Readonly<Record<string, readonly unknown[]>>;
}

/**
 * Stack samples into a {@link Batch}. The tensors it makes belong to the caller's tf.tidy scope.
 * Every sample must have the same keys, and tensor values the same shape, or this names the key that differs.
 */
export function collate(samples: readonly Sample[], indices: readonly number[]): Batch {
  const first = samples[0];
  if (!first) throw new RangeError('cannot collate an empty batch');
  const keys = Object.keys(first);
  const tensors: Record<string, tf.Tensor> = {};
  const values: Record<string, unknown[]> = {};
  for (const key of keys) {
    const column = samples.map((sample, i) => {
      if (!(key in sample)) throw new TypeError(`sample ${indices[i]} has no "${key}" but sample ${indices[0]} has`);
      return sample[key] as SampleValue;
    });
    const stacked = stackColumn(key, column);
    if (stacked) tensors[key] = stacked;
    else values[key] = column;
  }
  return { size: samples.length, indices: [...indices], tensors, values };
}

function stackColumn(key: string, column: readonly SampleValue[]): tf.Tensor | undefined {
  const head = column[0];
  if (head instanceof tf.Tensor) {
    return tf.stack(column.map((value) => expectTensor(key, value, head.shape)));
  }
  if (isHostTensor(head)) {
    const perSample = head.data.length;
    const dtype = head.data instanceof Int32Array ? 'int32' : 'float32';
    const buffer = dtype === 'int32' ? new Int32Array(perSample * column.length) : new Float32Array(perSample * column.length);
    column.forEach((value, i) => {
      if (!isHostTensor(value) || !sameShape(value.shape, head.shape)) {
        throw new TypeError(`"${key}" of sample ${i} in the batch has shape ${describeShape(value)}, expected [${head.shape.join(', ')}]`);
      }
      buffer.set(value.data, i * perSample);
    });
    return tf.tensor(buffer, [column.length, ...head.shape], dtype);
  }
  if (typeof head === 'number') {
    return tf.tensor1d(column.map((value) => expectNumber(key, value)), 'float32');
  }
  if (Array.isArray(head) && head.every((v) => typeof v === 'number')) {
    const width = head.length;
    const rows = column.map((value) => {
      if (!Array.isArray(value) || value.length !== width || !value.every((v) => typeof v === 'number')) {
        throw new TypeError(`"${key}" must be a list of ${width} numbers in every sample of the batch`);
      }
      return value as number[];
    });
    return tf.tensor2d(rows, [column.length, width], 'float32');
  }
  return undefined;
}

function isHostTensor(value: SampleValue | undefined): value is HostTensor {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof tf.Tensor) && 'data' in value && 'shape' in value;
}

function expectTensor(key: string, value: SampleValue, shape: readonly number[]): tf.Tensor {
  if (!(value instanceof tf.Tensor) || !sameShape(value.shape, shape)) {
    throw new TypeError(`"${key}" has shape ${describeShape(value)} in one sample, expected [${shape.join(', ')}] as in the first`);
  }
  return value;
}

function expectNumber(key: string, value: SampleValue): number {
  if (typeof value !== 'number') throw new TypeError(`"${key}" must be a number in every sample of the batch, got ${typeof value}`);
  return value;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function describeShape(value: SampleValue | undefined): string {
  if (value instanceof tf.Tensor || isHostTensor(value)) return `[${value.shape.join(', ')}]`;
  return typeof value;
}
