import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerState } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { BlockwiseQuantizer, QuantizedTensor } from './BlockwiseQuantizer.js';

/** State-dict keys of one moment of one parameter: float32 (`exp_avg.w`, as core's AdamW) or 8-bit (`exp_avg_codes.w`, `exp_avg_absmax.w`). */
export function momentKeys(moment: 'exp_avg' | 'exp_avg_sq', name: string): { float: string; codes: string; absmax: string } {
  return { float: `${moment}.${name}`, codes: `${moment}_codes.${name}`, absmax: `${moment}_absmax.${name}` };
}

/** Where a saved moment is, already checked: 8-bit codes with their block size, or a float32 tensor. */
export type SavedMoment = { readonly kind: 'quantized'; readonly value: QuantizedTensor; readonly blockSize: number } | { readonly kind: 'float'; readonly value: tf.Tensor };

/**
 * Find and check one moment of parameter `name` (with `size` values) in a saved optimizer state, in either form,
 * so that a checkpoint of float32 AdamW, or of this optimizer with another block size or min size, loads too.
 */
export function findSavedMoment(state: OptimizerState, moment: 'exp_avg' | 'exp_avg_sq', name: string, shape: readonly number[]): SavedMoment {
  const keys = momentKeys(moment, name);
  const codes = state.tensors[keys.codes];
  const absmax = state.tensors[keys.absmax];
  if (codes && absmax) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (codes.dtype !== 'int32' || codes.rank !== 1 || absmax.dtype !== 'float32' || absmax.rank !== 1 || absmax.size === 0) {
      throw invalid(`"${keys.codes}" must be int32 [n] and "${keys.absmax}" float32 [blocks]; got ${codes.dtype} [${codes.shape}] and ${absmax.dtype} [${absmax.shape}]`);
    }
    // why: codes are padded to whole blocks, so the saved block size is 4·codes / blocks; it must cover the parameter exactly.
    const blockSize = (4 * codes.size) / absmax.size;
    if (!Number.isInteger(blockSize) || blockSize % 4 !== 0 || Math.ceil(size / blockSize) !== absmax.size) {
      throw invalid(`"${keys.codes}" [${codes.shape}] and "${keys.absmax}" [${absmax.shape}] do not describe ${size} values of "${name}" in whole blocks`);
    }
    return { kind: 'quantized', value: { packed: codes as tf.Tensor1D, absmax: absmax as tf.Tensor1D }, blockSize };
  }
  const float = state.tensors[keys.float];
  if (float) {
    if (float.dtype !== 'float32' || float.shape.join() !== shape.join()) {
      throw invalid(`"${keys.float}" is ${float.dtype} [${float.shape}], expected float32 [${shape}]`);
    }
    return { kind: 'float', value: float };
  }
  throw invalid(`optimizer state has neither "${keys.codes}" and "${keys.absmax}" (8-bit) nor "${keys.float}" (float32) for "${name}"`);
}

/** A saved moment as 8-bit codes in blocks of `blockSize` over `paddedSize` values (call inside tf.tidy). */
export function toQuantized(saved: SavedMoment, quantizer: BlockwiseQuantizer, blockSize: number, paddedSize: number): QuantizedTensor {
  if (saved.kind === 'quantized' && saved.blockSize === blockSize) return saved.value;
  return quantizer.quantize(padTo(toFlatFloat(saved, quantizer), paddedSize), blockSize);
}

/** A saved moment as float32 values in `shape` (call inside tf.tidy). */
export function toFloat(saved: SavedMoment, quantizer: BlockwiseQuantizer, shape: readonly number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.reshape(padTo(toFlatFloat(saved, quantizer), size), shape as number[]);
}

function toFlatFloat(saved: SavedMoment, quantizer: BlockwiseQuantizer): tf.Tensor1D {
  if (saved.kind === 'float') return tf.reshape(saved.value, [-1]);
  return quantizer.dequantize(saved.value);
}

/** `flat` cut or zero-padded to `length` values. */
export function padTo(flat: tf.Tensor1D, length: number): tf.Tensor1D {
  if (flat.size === length) return flat;
  if (flat.size > length) return tf.slice(flat, 0, length);
  return tf.concat([flat, tf.zeros([length - flat.size])]);
}

function invalid(message: string): SdxlError {
  return new SdxlError(ErrorCode.OPTIMIZER_INVALID, message);
}
