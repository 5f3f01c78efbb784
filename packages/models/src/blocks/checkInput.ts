import type * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/**
 * Throws MODEL_INPUT_INVALID unless `tensor` is float32 with `shape` (null entries match any size), naming the model,
 * the input and both shapes.
 */
export function checkInput(model: string, input: string, tensor: tf.Tensor, shape: readonly (number | null)[], layout: string): void {
  const fits = tensor.dtype === 'float32' && tensor.rank === shape.length && shape.every((size, i) => size === null || size === tensor.shape[i]);
  if (fits) return;
  const expected = shape.map((size) => (size === null ? '*' : String(size))).join(', ');
  throw new SdxlError(ErrorCode.MODEL_INPUT_INVALID, `${model}: ${input} must be a float32 tensor ${layout} [${expected}], got ${tensor.dtype} [${tensor.shape.join(', ')}]`, {
    details: { input, shape: tensor.shape, dtype: tensor.dtype, expected: shape },
  });
}
