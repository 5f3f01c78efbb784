import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs-core';
import { asTensor } from './asTensor.js';
import { kernelError } from './kernelError.js';
import { stockKernel } from './replaceKernel.js';

/**
 * tensorflow `UnsortedSegmentSum` that drops ids ≥ numSegments, as the cpu and wasm kernels do.
 * why: TensorFlow's kernel drops negative ids but fails on ids ≥ numSegments with a bare
 * "Invalid TF_Status: 3"; ids at or past the end become -1 (dropped) before it runs: id − [id ≥ n]·(id + 1).
 */
export const tensorflowUnsortedSegmentSum: KernelFunc = (args) => {
  const stock = stockKernel('UnsortedSegmentSum', 'tensorflow');
  if (stock === undefined) throw kernelError('UnsortedSegmentSum', 'tensorflow', 'no tfjs-node kernel to call (is @tensorflow/tfjs-node loaded?)');
  const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = args.attrs as unknown as UnsortedSegmentSumAttrs;
  const safe = tf.tidy(() => {
    const ids = asTensor(segmentIds, args.backend);
    // why: plain numbers would be float32 scalars, and mixing them in would make the ids float32.
    const n = tf.scalar(numSegments, 'int32');
    return tf.sub(ids, tf.mul(tf.cast(tf.greaterEqual(ids, n), 'int32'), tf.add(ids, tf.scalar(1, 'int32'))));
  });
  try {
    return stock.kernelFunc({ ...args, inputs: { x, segmentIds: safe } });
  } finally {
    safe.dispose();
  }
};
