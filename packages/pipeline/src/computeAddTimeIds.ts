import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/** A `[height, width]` or `[top, left]` pair of pixels. */
export type PixelPair = readonly [number, number];

/**
 * SDXL's micro-conditioning vector (arXiv 2307.01952 §2.2; diffusers `_get_add_time_ids`, the training script's
 * `compute_time_ids`): `[original height, original width, crop top, crop left, target height, target width]`.
 */
export function computeAddTimeIds(originalSize: PixelPair, cropsCoordsTopLeft: PixelPair, targetSize: PixelPair): number[] {
  const ids = [...originalSize, ...cropsCoordsTopLeft, ...targetSize];
  if (ids.length !== 6 || ids.some((value) => typeof value !== 'number' || !Number.isFinite(value))) {
    throw new SdxlError(
      ErrorCode.PIPELINE_INPUT_INVALID,
      `add_time_ids: originalSize, cropsCoordsTopLeft and targetSize must be pairs of finite numbers, got ${JSON.stringify([originalSize, cropsCoordsTopLeft, targetSize])}`,
      { details: { originalSize, cropsCoordsTopLeft, targetSize } },
    );
  }
  return ids;
}
