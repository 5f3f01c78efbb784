import { Rng } from '@sdxl-trainer/core';
import { ErrorCode, isSdxlError } from '@sdxl-trainer/errors';
import { planAugmentation } from '../image/AugmentationPlan.js';
import { preprocessImage } from '../image/preprocessImage.js';
import { transformSettings, type TransformOptions, type TransformSettings } from '../image/TransformSettings.js';
import { sampleError } from '../source/badSample.js';
import { chooseCaption } from '../source/chooseCaption.js';
import type { ImageSource } from '../source/ImageSource.js';
import type { EpochAwareDataset, SdxlPixelSample } from './SdxlSample.js';

/**
 * The un-cached path: each use decodes and transforms the image (`preprocess_train`) and returns pixels with their
 * own micro-conditioning. Random crop and flip are drawn fresh per (seed, row, epoch) — the script's per-step
 * augmentation, but with coordinates that match the pixels. A list caption is chosen per (seed, row, epoch) too.
 * An undecodable image fails with `DATA_IMAGE_INVALID` naming file and row.
 */
export class SdxlPixelDataset implements EpochAwareDataset<SdxlPixelSample> {
  readonly settings: TransformSettings;
  readonly seed: number;

  constructor(
    private readonly source: ImageSource,
    options: { readonly transform?: TransformOptions | undefined; readonly seed?: number | undefined } = {},
  ) {
    this.settings = transformSettings(options.transform);
    this.seed = options.seed ?? 0;
  }

  get size(): number {
    return this.source.size;
  }

  get(index: number): Promise<SdxlPixelSample> {
    return this.getInEpoch(index, 0);
  }

  async getInEpoch(index: number, epoch: number): Promise<SdxlPixelSample> {
    const record = await this.source.read(index);
    let image;
    try {
      image = await preprocessImage(record.image, this.settings, (resized) => planAugmentation(resized, this.settings, Rng.fromSeed(this.seed, `data/augment-row/${index}/${epoch}`)));
    } catch (error) {
      if (isSdxlError(error)) throw error;
      throw sampleError(ErrorCode.DATA_IMAGE_INVALID, record.origin, `the image cannot be decoded (${error instanceof Error ? error.message : String(error)})`, error);
    }
    return {
      pixelValues: image.pixels,
      originalSize: image.originalSize,
      cropTopLeft: image.cropTopLeft,
      targetSize: image.targetSize,
      caption: chooseCaption(record.caption ?? '', this.seed, index, epoch),
    };
  }
}
