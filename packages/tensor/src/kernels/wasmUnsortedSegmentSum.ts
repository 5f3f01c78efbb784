import { util } from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs-core';
import { heapView, type WasmBackendInternals } from './wasmHeap.js';
import { kernelError } from './kernelError.js';

/**
 * wasm `UnsortedSegmentSum` (the gradient of `tf.gather`, needed to train an embedding table):
 * `out[ids[i]] += x[i]` over the rows of x, straight on the wasm heap. Ids outside
 * [0, numSegments) are dropped, as TensorFlow's `UnsortedSegmentSum` does.
 * why: tfjs-backend-wasm 4.22 has no such kernel (backend.md §1).
 */
export const wasmUnsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
  const wasm = backend as WasmBackendInternals;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw kernelError('UnsortedSegmentSum', 'wasm', `x must be float32 or int32, got ${x.dtype}`);
  }
  const rows = util.sizeFromShape(segmentIds.shape);
  const inner = util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
  const out = wasm.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  // Views only after the allocation above: it may have grown (and replaced) the heap buffer.
  const dst = heapView(wasm, out, numSegments * inner);
  const src = heapView(wasm, x, rows * inner);
  const ids = heapView(wasm, segmentIds, rows);
  dst.fill(0);
  for (let r = 0; r < rows; r++) {
    const id = ids[r] as number;
    if (id < 0 || id >= numSegments) continue;
    const o = id * inner;
    const s = r * inner;
    for (let i = 0; i < inner; i++) dst[o + i] = (dst[o + i] as number) + (src[s + i] as number);
  }
  return out;
};
