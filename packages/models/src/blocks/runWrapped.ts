import type * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../nn/Module.js';
import { withParameterTensors } from '../nn/withParameterTensors.js';
import type { BlockWrapper } from './BlockRuntime.js';

/**
 * Calls `body(...inputs)` for `module`, through `wrapper` when there is one. Wrapped, the module's trainable parameters
 * become explicit inputs after `inputs` (tf.customGrad returns gradients for its inputs only) and are bound for the
 * call with withParameterTensors, so the block's ordinary code runs on the tensors the wrapper passes — the saved
 * copies when a checkpoint recomputes. Frozen parameters stay closed over: nobody needs their gradients.
 */
export function runWrapped(module: Module, wrapper: BlockWrapper | null, inputs: readonly tf.Tensor[], body: (...inputs: tf.Tensor[]) => tf.Tensor): tf.Tensor {
  if (wrapper === null) return body(...inputs);
  const parameters = module
    .namedParameters()
    .map(([, parameter]) => parameter)
    .filter((parameter) => parameter.trainable);
  const count = inputs.length;
  const wrapped = wrapper((...all: tf.Tensor[]) => withParameterTensors(parameters, all.slice(count), () => body(...all.slice(0, count))));
  return wrapped(...inputs, ...parameters.map((parameter) => parameter.value));
}
