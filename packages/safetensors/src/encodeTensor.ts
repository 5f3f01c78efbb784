import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { encodeBfloat16 } from './bfloat16.js';
import { arrayTypeName, elementCount, type Dtype, type TensorArray } from './dtype.js';
import { encodeFloat16 } from './float16.js';

/**
 * Checks that `data` is the JS array type of `dtype` with product(shape) elements, and returns the bytes to store
 * (little-endian, as the host is; F16/BF16 encoded from float32).
 */
export function encodeTensor(file: string, name: string, dtype: Dtype, shape: readonly number[], data: TensorArray): Uint8Array {
  checkTensorData(file, name, dtype, shape, data);
  const stored = dtype === 'F16' ? encodeFloat16(data as Float32Array) : dtype === 'BF16' ? encodeBfloat16(data as Float32Array) : data;
  return new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
}

/** Throws SAFETENSORS_INVALID unless `data` is the JS array type of `dtype` with product(shape) elements (BOOL: 0/1). */
export function checkTensorData(file: string, name: string, dtype: Dtype, shape: readonly number[], data: TensorArray): void {
  const expectedType = arrayTypeName(dtype);
  // why: the typed-array tag names the element type even for subclasses (a Node Buffer is a 'Uint8Array') and arrays
  // from another realm, where instanceof would fail.
  if (typedArrayName(data) !== expectedType) {
    throw new SdxlError(
      ErrorCode.SAFETENSORS_INVALID,
      `${file}: tensor "${name}" is ${dtype} and needs its data as a ${expectedType}, got ${describe(data)}`,
      { details: { file, tensor: name, dtype, expected: expectedType } },
    );
  }
  const count = elementCount(shape);
  if (data.length !== count) {
    throw new SdxlError(
      ErrorCode.SAFETENSORS_INVALID,
      `${file}: tensor "${name}" has shape ${JSON.stringify(shape)} (${count} elements) but its data holds ${data.length}`,
      { details: { file, tensor: name, shape, length: data.length } },
    );
  }
  if (dtype === 'BOOL') {
    const index = (data as Uint8Array).findIndex((value) => value > 1);
    if (index >= 0) {
      throw new SdxlError(ErrorCode.SAFETENSORS_INVALID, `${file}: BOOL tensor "${name}" holds ${data[index]} at index ${index}; expected 0 or 1`, {
        details: { file, tensor: name, index },
      });
    }
  }
}

function typedArrayName(value: unknown): string | undefined {
  return ArrayBuffer.isView(value) ? (value as unknown as { [Symbol.toStringTag]: string | undefined })[Symbol.toStringTag] : undefined;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return (value as object).constructor?.name ?? typeof value;
}
