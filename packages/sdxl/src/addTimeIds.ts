import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { SdxlSampleKey } from './sampleKeys.js';

/**
 * SDXL's micro-conditioning `add_time_ids` for a batch, `[batch, 6]` float32: original size, crop top-left and
 * target size per sample — train_text_to_image_sdxl.py's `compute_time_ids`
 * (`list(original_size + crops_coords_top_left + target_size)`). Call inside tf.tidy.
 */
export function addTimeIds(batch: Batch): tf.Tensor2D {
  const parts = [SdxlSampleKey.originalSize, SdxlSampleKey.cropTopLeft, SdxlSampleKey.targetSize].map((key) => {
    const tensor = batch.tensors[key];
    if (!tensor || tensor.rank !== 2 || tensor.shape[1] !== 2) {
      throw new SdxlError(ErrorCode.TRAINER_NO_DATA, `the batch needs "${key}" as two numbers per sample to build add_time_ids; got ${tensor ? `shape [${tensor.shape}]` : 'nothing'}`);
    }
    return tensor;
  });
  return tf.concat(parts, 1) as tf.Tensor2D;
}
