import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { isFloatDtype } from './dtype.js';
import type { TensorData } from './TensorInfo.js';

/** A tensor's values as float32: floats are rounded to float32, integers converted (I64 through Number). */
export function toFloat32(tensor: TensorData): Float32Array {
  const { data } = tensor;
  if (data instanceof Float32Array) return data;
  const out = new Float32Array(data.length);
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]!);
  } else {
    out.set(data);
  }
  return out;
}

/**
 * A tensor's values as int32. Integer and BOOL dtypes only; an I64 value outside the int32 range is an error
 * naming the tensor (`name`) and `file`.
 */
export function toInt32(tensor: TensorData, name: string, file: string): Int32Array {
  const { data, dtype } = tensor;
  if (isFloatDtype(dtype)) {
    throw new SdxlError(ErrorCode.SAFETENSORS_UNSUPPORTED_DTYPE, `${file}: tensor "${name}" is ${dtype}; readInt32 needs an integer or BOOL dtype`, {
      details: { file, tensor: name, dtype },
    });
  }
  if (data instanceof Int32Array) return data;
  const out = new Int32Array(data.length);
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < data.length; i++) {
      const value = data[i]!;
      if (value < -2147483648n || value > 2147483647n) {
        throw new SdxlError(
          ErrorCode.SAFETENSORS_INVALID,
          `${file}: tensor "${name}" holds ${value} at index ${i}, outside the int32 range readInt32 returns`,
          { details: { file, tensor: name, index: i, value: value.toString() } },
        );
      }
      out[i] = Number(value);
    }
  } else {
    out.set(data as Int16Array | Int8Array | Uint8Array);
  }
  return out;
}
