import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * A Tensor for a kernel input, so that a replacement kernel can be written with tfjs ops.
 * Inputs that arrive as plain TensorInfos get a new engine-tracked Tensor that shares the data and
 * holds its own reference (disposed with the caller's tidy).
 */
export function asTensor(info: TensorInfo, backend: KernelBackend | object): tf.Tensor {
  if (info instanceof tf.Tensor) return info;
  // why: makeTensorFromTensorInfo does not add a backend reference, and disposing the tensor drops one.
  (backend as KernelBackend).incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, backend as KernelBackend);
}
