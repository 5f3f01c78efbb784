import * as tf from '@tensorflow/tfjs-core';
import type { BatchMatMulAttrs, _FusedMatMulAttrs, KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asTensor } from './asTensor.js';
import { matMulCore } from './matMulCore.js';
import { stockKernel } from './replaceKernel.js';
import { kernelError } from './kernelError.js';

/** True when the stock wasm kernel takes its XNNPACK path: no transposes and both batch sizes 1. */
function isFastPath(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): boolean {
  const batch = (s: number[]): number => s.slice(0, -2).reduce((p, d) => p * d, 1);
  return !transposeA && !transposeB && batch(a.shape) === 1 && batch(b.shape) === 1;
}

/** wasm `BatchMatMul`: the stock kernel where it is fast, {@link matMulCore} elsewhere. */
export const wasmBatchMatMul: KernelFunc = (args) => {
  const { inputs } = args;
  const backend = args.backend as KernelBackend;
  const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  if (isFastPath(a, b, transposeA, transposeB)) return callStock('BatchMatMul', args);
  return tf.tidy(() => matMulCore(asTensor(a, backend), asTensor(b, backend), transposeA, transposeB, backend, 'wasm'));
};

/** wasm `_FusedMatMul` (matmul + bias + activation): the stock kernel where it is fast, composed ops elsewhere. */
export const wasmFusedMatMul: KernelFunc = (args) => {
  const { inputs } = args;
  const backend = args.backend as KernelBackend;
  const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as unknown as _FusedMatMulAttrs;
  const { a, b, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined> & { a: TensorInfo; b: TensorInfo };
  if (isFastPath(a, b, transposeA, transposeB)) return callStock('_FusedMatMul', args);
  return tf.tidy(() => {
    let y = matMulCore(asTensor(a, backend), asTensor(b, backend), transposeA, transposeB, backend, 'wasm');
    if (bias !== undefined) y = tf.add(y, asTensor(bias, backend));
    return applyActivation(y, activation, preluActivationWeights === undefined ? undefined : asTensor(preluActivationWeights, backend), leakyreluAlpha);
  });
};

/** The activations `tf.fused.matMul` accepts (tfjs-core `fused_util.applyActivation`). */
function applyActivation(x: tf.Tensor, activation: string | undefined, prelu: tf.Tensor | undefined, alpha: number | undefined): tf.Tensor {
  switch (activation ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'elu':
      return tf.elu(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'prelu':
      if (prelu === undefined) throw kernelError('_FusedMatMul', 'wasm', 'activation prelu needs preluActivationWeights');
      return tf.prelu(x, prelu);
    case 'leakyrelu':
      return tf.leakyRelu(x, alpha ?? 0.2);
    default:
      throw kernelError('_FusedMatMul', 'wasm', `unknown activation '${activation}'`);
  }
}

function callStock(kernelName: string, args: Parameters<KernelFunc>[0]): ReturnType<KernelFunc> {
  const stock = stockKernel(kernelName, 'wasm');
  if (stock === undefined) throw kernelError(kernelName, 'wasm', 'the stock kernel is not registered (is @tensorflow/tfjs-backend-wasm 4.22.0 loaded?)');
  return stock.kernelFunc(args);
}
