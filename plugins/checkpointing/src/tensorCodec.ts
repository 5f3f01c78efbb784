import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { Dtype, TensorArray, TensorData, TensorToWrite } from '@sdxl-trainer/safetensors';
import * as tf from '@tensorflow/tfjs-core';

const TO_FILE: Partial<Record<tf.DataType, Dtype>> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };
const FROM_FILE: Partial<Record<Dtype, 'float32' | 'int32' | 'bool'>> = { F32: 'float32', I32: 'int32', BOOL: 'bool' };

/**
 * A tensor as the safetensors writer takes it, in its own dtype (float32 → F32, int32 → I32, bool → BOOL); the
 * values are downloaded (`tensor.data()`, asynchronous) only when the writer reaches the tensor.
 */
export function tensorToWrite(name: string, tensor: tf.Tensor): TensorToWrite {
  const dtype = TO_FILE[tensor.dtype];
  if (!dtype) throw new SdxlError(ErrorCode.CHECKPOINT_WRITE_FAILED, `cannot checkpoint "${name}": tensors of dtype ${tensor.dtype} are not supported (float32, int32, bool are)`);
  return { dtype, shape: tensor.shape, data: async () => (await tensor.data()) as TensorArray };
}

/** A tensor read from a checkpoint file back into tfjs, in the dtype it was saved with. */
export function tensorFromFile(name: string, data: TensorData, file: string): tf.Tensor {
  const dtype = FROM_FILE[data.dtype];
  if (!dtype) {
    throw new SdxlError(ErrorCode.CHECKPOINT_INVALID, `${file}: tensor "${name}" has dtype ${data.dtype}; a checkpoint holds F32, I32 and BOOL tensors only`, {
      details: { file, tensor: name, dtype: data.dtype },
    });
  }
  return tf.tensor(data.data as Float32Array | Int32Array | Uint8Array, [...data.shape], dtype);
}
