import { decodeBfloat16 } from './bfloat16.js';
import type { Dtype, TensorArray } from './dtype.js';
import { decodeFloat16 } from './float16.js';

/**
 * Turns a tensor's little-endian bytes into its JS array. `bytes` must start at offset 0 of its buffer
 * (as {@link readRange} returns them) so that typed views over it are aligned.
 */
export function decodeTensor(bytes: Uint8Array, dtype: Dtype): TensorArray {
  const { buffer, byteLength } = bytes;
  switch (dtype) {
    case 'F64':
      return new Float64Array(buffer, 0, byteLength / 8);
    case 'F32':
      return new Float32Array(buffer, 0, byteLength / 4);
    case 'F16':
      return decodeFloat16(new Uint16Array(buffer, 0, byteLength / 2));
    case 'BF16':
      return decodeBfloat16(new Uint16Array(buffer, 0, byteLength / 2));
    case 'I64':
      return new BigInt64Array(buffer, 0, byteLength / 8);
    case 'I32':
      return new Int32Array(buffer, 0, byteLength / 4);
    case 'I16':
      return new Int16Array(buffer, 0, byteLength / 2);
    case 'I8':
      return new Int8Array(buffer, 0, byteLength);
    case 'U8':
    case 'BOOL':
      return bytes;
  }
}
