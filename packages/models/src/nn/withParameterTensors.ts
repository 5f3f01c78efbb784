import type * as tf from '@tensorflow/tfjs-core';
import type { Parameter } from './Parameter.js';

/**
 * Runs `fn` with each of `parameters` reading the matching tensor of `tensors` instead of its tf.Variable
 * (Parameter.tensor), then unbinds them, even when `fn` throws. This lets a block whose weights are explicit inputs of
 * a tf.customGrad function (gradient checkpointing) run its ordinary module code on the tensors customGrad hands it.
 */
export function withParameterTensors<T>(parameters: readonly Parameter[], tensors: readonly tf.Tensor[], fn: () => T): T {
  if (parameters.length !== tensors.length) throw new RangeError(`${parameters.length} parameters but ${tensors.length} tensors to bind`);
  parameters.forEach((parameter, i) => parameter.bindTensor(tensors[i]!));
  try {
    return fn();
  } finally {
    for (const parameter of parameters) parameter.bindTensor(null);
  }
}
