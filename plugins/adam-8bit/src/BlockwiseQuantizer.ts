import * as tf from '@tensorflow/tfjs-core';
import { dynamicMapThresholds, type DynamicMap } from './dynamicMap.js';
import { packCodes, unpackCodes } from './packCodes.js';

/** A tensor quantised blockwise: packed codes (int32, four per element) and one float32 absmax per block. */
export interface QuantizedTensor {
  readonly packed: tf.Tensor1D;
  readonly absmax: tf.Tensor1D;
}

/** How codes are found: tfjs' SearchSorted kernel, or an 8-step binary search of gathers for backends without it. */
export type BucketizeMethod = 'searchSorted' | 'binarySearch';

/**
 * Blockwise quantisation with a dynamic map (bitsandbytes `functional.py` `quantize_blockwise` /
 * `dequantize_blockwise`, and the same steps inside the 8-bit optimizer kernels): each block of `blockSize`
 * values is divided by its absolute maximum and every value becomes the code of the nearest map entry.
 * All work is tfjs ops, so it runs on any backend; call the methods inside tf.tidy.
 */
export class BlockwiseQuantizer {
  readonly method: BucketizeMethod;
  readonly #values: tf.Tensor1D;
  readonly #thresholds: tf.Tensor1D;
  /** `thresholds` shifted right by one behind −∞, for the binary search: entry c is the lower edge of code c. */
  readonly #lowerEdges: tf.Tensor1D;

  constructor(
    readonly map: DynamicMap,
    method?: BucketizeMethod,
  ) {
    this.method = method ?? (tf.getKernel('SearchSorted', tf.getBackend()) ? 'searchSorted' : 'binarySearch');
    const thresholds = dynamicMapThresholds(map);
    this.#values = tf.keep(tf.tensor1d(map.values));
    this.#thresholds = tf.keep(tf.tensor1d(thresholds));
    this.#lowerEdges = tf.keep(tf.tensor1d([-Infinity, ...thresholds]));
  }

  /** Codes and per-block absmax of `values` (float32, length a multiple of `blockSize`, itself a multiple of 4). */
  quantize(values: tf.Tensor, blockSize: number): QuantizedTensor {
    const blocks = tf.reshape(values, [-1, blockSize]);
    const absmax = tf.max(tf.abs(blocks), 1) as tf.Tensor1D;
    // why: an all-zero block has absmax 0; dividing by 1 instead keeps its zeros zero (bitsandbytes would divide 0/0).
    const divisor = tf.where(tf.greater(absmax, 0), absmax, tf.onesLike(absmax));
    const normalized = tf.reshape(tf.div(blocks, tf.expandDims(divisor, 1)), [-1]) as tf.Tensor1D;
    return { packed: packCodes(this.codes(normalized)), absmax };
  }

  /** The float32 values of a quantised tensor; the block size is the one it was quantised with (4·packed / absmax). */
  dequantize({ packed, absmax }: QuantizedTensor): tf.Tensor1D {
    const codes = unpackCodes(packed);
    const blocks = tf.reshape(tf.gather(this.#values, codes), [absmax.shape[0], -1]);
    return tf.reshape(tf.mul(blocks, tf.expandDims(absmax, 1)), [-1]);
  }

  /**
   * The code of each normalised value: the number of thresholds ≤ it, i.e. the nearest map entry, ties to the
   * upper code (bitsandbytes breaks exact ties toward its search pivot; ties have measure zero).
   */
  codes(normalized: tf.Tensor1D): tf.Tensor1D {
    if (this.method === 'searchSorted') return tf.searchSorted(this.#thresholds, normalized, 'right') as tf.Tensor1D;
    let code = tf.zeros(normalized.shape, 'int32') as tf.Tensor1D;
    for (let step = 128; step >= 1; step /= 2) {
      const candidate = tf.add(code, tf.scalar(step, 'int32'));
      code = tf.where(tf.lessEqual(tf.gather(this.#lowerEdges, candidate), normalized), candidate, code) as tf.Tensor1D;
    }
    return code;
  }

  /** Free the map tensors. */
  dispose(): void {
    this.#values.dispose();
    this.#thresholds.dispose();
    this.#lowerEdges.dispose();
  }
}
