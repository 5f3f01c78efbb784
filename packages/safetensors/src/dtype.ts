/** The safetensors element types this package reads and writes. */
export type Dtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** The JS arrays tensor data travels in (F16/BF16 as Float32Array, I64 as BigInt64Array, BOOL as Uint8Array). */
export type TensorArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | BigInt64Array;

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<Dtype, number>> = Object.freeze({
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
});

/** Every supported dtype, in the order the writer lays tensors out (see {@link dtypeLayoutRank}). */
export const DTYPES: readonly Dtype[] = Object.freeze(['I64', 'F64', 'F32', 'I32', 'BF16', 'F16', 'I16', 'I8', 'U8', 'BOOL']);

/** True when `value` names a supported dtype. */
export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && Object.hasOwn(DTYPE_BYTES, value);
}

/** True for the dtypes whose values are floating point. */
export function isFloatDtype(dtype: Dtype): boolean {
  return dtype === 'F64' || dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

/**
 * Position of a dtype in the writer's data layout (smaller comes first).
 * why: the reference Rust implementation (safetensors `tensor.rs`, `prepare`) sorts by dtype descending in its
 * enum order (BOOL < U8 < I8 < ... < I16 < F16 < BF16 < I32 < F32 < F64 < I64), then by name. Following it makes
 * our files byte-identical to the ones huggingface's library writes, and keeps every tensor aligned to its element
 * size, because sizes never grow along the layout.
 */
export function dtypeLayoutRank(dtype: Dtype): number {
  return DTYPES.indexOf(dtype);
}

/** The JS array type that carries a dtype's values in a {@link TensorToWrite} or a decoded tensor. */
export function arrayTypeName(dtype: Dtype): string {
  switch (dtype) {
    case 'F64':
      return 'Float64Array';
    case 'F32':
    case 'F16':
    case 'BF16':
      return 'Float32Array';
    case 'I64':
      return 'BigInt64Array';
    case 'I32':
      return 'Int32Array';
    case 'I16':
      return 'Int16Array';
    case 'I8':
      return 'Int8Array';
    case 'U8':
    case 'BOOL':
      return 'Uint8Array';
  }
}

/** Number of elements of a shape (1 for a scalar `[]`). */
export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}
