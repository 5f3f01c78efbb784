import type { DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { kernelError } from './kernelError.js';

/** The parts of tfjs-backend-wasm 4.22's `BackendWasm` that the heap kernels use. */
export interface WasmBackendInternals extends KernelBackend {
  readonly wasm: { readonly HEAPU8: Uint8Array; readonly wasmMemory?: { readonly buffer: ArrayBufferLike } };
  readonly dataIdMap: { get(dataId: object): { memoryOffset: number; dtype: DataType } | undefined };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
}

type HeapArray = Float32Array | Int32Array | Uint8Array;

/**
 * A typed-array view of a tensor's bytes on the wasm heap (no copy).
 * Make views only after every allocation of the kernel: a heap growth replaces the buffer.
 */
export function heapView(backend: WasmBackendInternals, info: TensorInfo, size: number): HeapArray {
  const entry = backend.dataIdMap.get(info.dataId);
  if (entry === undefined) throw kernelError('heap view', 'wasm', `tensor data of shape [${info.shape.join(',')}] is not on the wasm backend`);
  // why: the threaded build shares a growable memory; wasmMemory.buffer is always the current one, HEAPU8 may lag.
  const buffer = backend.wasm.wasmMemory?.buffer ?? backend.wasm.HEAPU8.buffer;
  switch (info.dtype) {
    case 'float32':
      return new Float32Array(buffer, entry.memoryOffset, size);
    case 'int32':
      return new Int32Array(buffer, entry.memoryOffset, size);
    case 'bool':
      return new Uint8Array(buffer, entry.memoryOffset, size);
    default:
      throw kernelError('heap view', 'wasm', `dtype ${info.dtype} has no heap view`);
  }
}
