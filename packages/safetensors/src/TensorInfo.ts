import type { Dtype, TensorArray } from './dtype.js';

/** Where one tensor lives: its dtype, shape and the byte range of its data in `file`. */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** Absolute byte offset of the tensor's data in `file` (8 + header length + `data_offsets[0]`). */
  readonly byteOffset: number;
  readonly byteLength: number;
  /** Path of the .safetensors file that holds the tensor. */
  readonly file: string;
}

/**
 * A decoded tensor. F16/BF16 are decoded into a Float32Array (`dtype` still says 'F16'/'BF16'); F32 -> Float32Array,
 * F64 -> Float64Array, I64 -> BigInt64Array, I32/I16/I8 -> Int32Array/Int16Array/Int8Array, U8 and BOOL -> Uint8Array.
 */
export interface TensorData {
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly data: TensorArray;
}
