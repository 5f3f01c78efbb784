import { slice_util, util } from '@tensorflow/tfjs-core';
import type { KernelFunc, SliceAttrs, SliceInputs, TensorInfo } from '@tensorflow/tfjs-core';
import { heapView, type WasmBackendInternals } from './wasmHeap.js';
import { stockKernel } from './replaceKernel.js';
import { kernelError } from './kernelError.js';

/**
 * wasm `Slice` that copies contiguous runs between heap views.
 * why: the stock kernel first copies the whole input out of the heap (`readSync`), so taking one row
 * of a big tensor costs a full copy (0.06–1.6 GB/s measured, backend.md §1).
 */
export const wasmSlice: KernelFunc = ({ inputs, attrs, backend }) => {
  const { x } = inputs as unknown as SliceInputs & { x: TensorInfo };
  const { begin, size } = attrs as unknown as SliceAttrs;
  const wasm = backend as WasmBackendInternals;
  if (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool') return callStock({ inputs, attrs, backend });
  const [start, extent] = slice_util.parseSliceParams(x as never, begin, size);
  const out = wasm.makeOutput(extent, x.dtype);
  const outSize = util.sizeFromShape(extent);
  if (outSize === 0) return out;
  const src = heapView(wasm, x, util.sizeFromShape(x.shape));
  const dst = heapView(wasm, out, outSize);
  copySlice(src, x.shape, start, extent, dst);
  return out;
};

const callStock: KernelFunc = (args) => {
  const stock = stockKernel('Slice', 'wasm');
  if (stock === undefined) throw kernelError('Slice', 'wasm', 'the stock kernel is not registered (is @tensorflow/tfjs-backend-wasm 4.22.0 loaded?)');
  return stock.kernelFunc(args);
};

/**
 * Copies the box `start`/`extent` of `src` (row-major, `shape`) into `dst`.
 * Trailing axes taken whole are merged, so each copy moves the longest contiguous run.
 */
export function copySlice(
  src: Float32Array | Int32Array | Uint8Array,
  shape: readonly number[],
  start: readonly number[],
  extent: readonly number[],
  dst: Float32Array | Int32Array | Uint8Array,
): void {
  const rank = shape.length;
  // Find the innermost axis where the slice stops being a whole-axis copy.
  let run = 1;
  let axis = rank - 1;
  while (axis >= 0 && start[axis] === 0 && extent[axis] === shape[axis]) {
    run *= shape[axis] as number;
    axis--;
  }
  if (axis < 0) {
    dst.set(src.subarray(0, run));
    return;
  }
  const strides = util.computeStrides(shape as number[]);
  const strideOf = (a: number): number => (a === rank - 1 ? 1 : (strides[a] as number));
  run *= extent[axis] as number;
  const outer = axis; // axes [0, axis) are iterated, axis `axis` and the merged tail form one run
  const counters = new Array<number>(outer).fill(0);
  let srcBase = 0;
  for (let a = 0; a <= axis; a++) srcBase += (start[a] as number) * strideOf(a);
  const runs = outer === 0 ? 1 : extent.slice(0, outer).reduce((p, e) => p * e, 1);
  let o = 0;
  let s = srcBase;
  for (let r = 0; r < runs; r++) {
    if (run >= 32) {
      dst.set(src.subarray(s, s + run), o);
    } else {
      for (let i = 0; i < run; i++) dst[o + i] = src[s + i] as number;
    }
    o += run;
    // Advance the odometer over the outer axes.
    for (let a = outer - 1; a >= 0; a--) {
      const c = (counters[a] as number) + 1;
      if (c < (extent[a] as number)) {
        counters[a] = c;
        s += strideOf(a);
        break;
      }
      counters[a] = 0;
      s -= (c - 1) * strideOf(a);
    }
  }
}
