import { conv2dBackpropFilterTaps } from './kernels/conv2dBackpropFilterTaps.js';
import { replaceKernel, restoreKernel } from './kernels/replaceKernel.js';
import { wasmBatchMatMul, wasmFusedMatMul } from './kernels/wasmBatchMatMul.js';
import { wasmConv2dBackpropInput } from './kernels/wasmConv2dBackpropInput.js';
import { wasmSlice } from './kernels/wasmSlice.js';
import { wasmUnsortedSegmentSum } from './kernels/wasmUnsortedSegmentSum.js';

/** The wasm kernels {@link registerWasmKernels} installs, with why each is replaced (backend.md §1–2). */
export const WASM_KERNEL_REPLACEMENTS = {
  Conv2DBackpropFilter: 'missing in tfjs-backend-wasm 4.22: every conv weight gradient fails',
  Conv2DBackpropInput: 'stock kernel is a scalar loop (~2.5 GFLOP/s); replaced by one XNNPACK conv',
  BatchMatMul: 'transposes and batch > 1 fall to a scalar loop (1–2 GFLOP/s); replaced by 2-D XNNPACK calls',
  _FusedMatMul: 'same slow path as BatchMatMul',
  Slice: 'stock kernel copies the whole input off the heap first; replaced by run copies',
  UnsortedSegmentSum: 'missing (gradient of tf.gather)',
} as const;

/**
 * Installs this package's wasm kernels (see {@link WASM_KERNEL_REPLACEMENTS}) with `tf.registerKernel`.
 * Idempotent; takes effect for the next op, whether or not wasm is the active backend.
 */
export function registerWasmKernels(): void {
  replaceKernel('Conv2DBackpropFilter', 'wasm', conv2dBackpropFilterTaps('wasm'));
  replaceKernel('Conv2DBackpropInput', 'wasm', wasmConv2dBackpropInput);
  replaceKernel('BatchMatMul', 'wasm', wasmBatchMatMul);
  replaceKernel('_FusedMatMul', 'wasm', wasmFusedMatMul);
  replaceKernel('Slice', 'wasm', wasmSlice);
  replaceKernel('UnsortedSegmentSum', 'wasm', wasmUnsortedSegmentSum);
}

/** Puts the stock wasm kernels back (for comparisons and benchmarks). */
export function unregisterWasmKernels(): void {
  for (const name of Object.keys(WASM_KERNEL_REPLACEMENTS)) restoreKernel(name, 'wasm');
}
