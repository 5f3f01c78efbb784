import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { CropSettings } from './AugmentationPlan.js';
import { parseInterpolationMode, type InterpolationMode, type Resampler } from './InterpolationMode.js';

/** The SDXL script's image flags (`--resolution`, `--center_crop`, `--random_flip`, `--image_interpolation_mode`). */
export interface TransformSettings extends CropSettings {
  readonly interpolation: InterpolationMode;
  /** `sharp` (default) or `pil` for Pillow-exact resizing (see the README for the differences). */
  readonly resampler: Resampler;
}

/** Options as a user writes them; everything but `resolution` has the script's default. */
export interface TransformOptions {
  /** `--resolution`, default 1024. */
  readonly resolution?: number;
  readonly centerCrop?: boolean;
  readonly randomFlip?: boolean;
  /** `--image_interpolation_mode`, default `lanczos`. */
  readonly interpolation?: InterpolationMode | string;
  readonly resampler?: Resampler;
}

/** Fill in the script's defaults and check the values. */
export function transformSettings(options: TransformOptions = {}): TransformSettings {
  const resolution = options.resolution ?? 1024;
  if (!Number.isInteger(resolution) || resolution < 8 || resolution % 8 !== 0) {
    throw new SdxlError(ErrorCode.DATA_OPTION_INVALID, `resolution must be a positive multiple of 8 (the VAE downsamples by 8), got ${resolution}`, {
      details: { field: 'resolution', value: resolution },
    });
  }
  const resampler = options.resampler ?? 'sharp';
  if (resampler !== 'sharp' && resampler !== 'pil') {
    throw new SdxlError(ErrorCode.DATA_OPTION_INVALID, `resampler must be "sharp" or "pil", got "${String(resampler)}"`, { details: { field: 'resampler', value: resampler } });
  }
  return {
    resolution,
    centerCrop: options.centerCrop ?? false,
    randomFlip: options.randomFlip ?? false,
    interpolation: parseInterpolationMode(options.interpolation ?? 'lanczos'),
    resampler,
  };
}
