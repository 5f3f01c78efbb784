import type { HostTensor } from '@sdxl-trainer/core';
import type { AugmentationPlan } from './AugmentationPlan.js';
import { decodeResized, probeImage, type ImageProbe } from './decodeImage.js';
import { resizePlan } from './InterpolationMode.js';
import { resizedSize, type Size } from './resizedSize.js';
import { toPixelTensor } from './toPixelTensor.js';
import type { TransformSettings } from './TransformSettings.js';

/** One image after `preprocess_train`, with the micro-conditioning that belongs to these exact pixels. */
export interface PreprocessedImage {
  /** NHWC float32 in [-1, 1], `[resolution, resolution, 3]`. */
  readonly pixels: HostTensor;
  /** `(height, width)` before the resize, after EXIF orientation. */
  readonly originalSize: readonly [number, number];
  /** `(y, x)` of the crop in the resized, possibly mirrored image. */
  readonly cropTopLeft: readonly [number, number];
  readonly flip: boolean;
  readonly targetSize: readonly [number, number];
}

/**
 * train_text_to_image_sdxl.py's `preprocess_train` for one encoded image: decode to RGB (EXIF orientation applied),
 * record the original size, `Resize(resolution)` of the shorter side, flip, crop, scale to [-1, 1]. `plan` decides
 * flip and crop from the resized size (see `planAugmentation`); `probe` skips re-reading the header when known.
 */
export async function preprocessImage(
  bytes: Uint8Array,
  settings: TransformSettings,
  plan: (resized: Size) => AugmentationPlan,
  probe?: ImageProbe,
): Promise<PreprocessedImage> {
  const header = probe ?? (await probeImage(bytes));
  const target = resizedSize(header.size, settings.resolution);
  const augmentation = plan(target);
  const resized = await decodeResized(bytes, header, target, resizePlan(settings.interpolation, settings.resampler));
  return {
    pixels: toPixelTensor(resized, augmentation, settings.resolution),
    originalSize: [header.size.height, header.size.width],
    cropTopLeft: augmentation.cropTopLeft,
    flip: augmentation.flip,
    targetSize: [settings.resolution, settings.resolution],
  };
}
