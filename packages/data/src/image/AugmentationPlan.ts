import type { Rng } from '@sdxl-trainer/core';
import { pythonRound } from './pythonRound.js';
import type { Size } from './resizedSize.js';

/** Where the square crop of a resized image sits, and whether the image was mirrored before cropping. */
export interface AugmentationPlan {
  /** Horizontal flip, applied after the resize and before the crop (as `preprocess_train` does). */
  readonly flip: boolean;
  /** Top-left corner `[y, x]` of the crop, in pixels of the resized (and, if flipped, mirrored) image. */
  readonly cropTopLeft: readonly [number, number];
}

/** How the crop is placed. */
export interface CropSettings {
  readonly resolution: number;
  /** `--center_crop`; otherwise a random crop. */
  readonly centerCrop: boolean;
  /** `--random_flip`: mirror with probability 0.5. */
  readonly randomFlip: boolean;
}

/**
 * Draw the flip and crop of one image the way train_text_to_image_sdxl.py's `preprocess_train` does, in its order:
 * the flip first (`random.random() < 0.5`, only with `--random_flip`), then the crop — centre: `y1 = max(0,
 * round((H - res) / 2))` with Python's ties-to-even round, likewise x1; random: `RandomCrop.get_params` semantics,
 * `y1 ~ U{0..H-res}` then `x1 ~ U{0..W-res}`, no draw at all when the image is exactly res × res. `resized` is the
 * size after `Resize(res)`. The draws come from `rng` (our generator, so the numbers differ from Python's).
 */
export function planAugmentation(resized: Size, settings: CropSettings, rng: Rng): AugmentationPlan {
  const { resolution } = settings;
  const flip = settings.randomFlip && rng.random() < 0.5;
  if (settings.centerCrop) {
    const y = Math.max(0, pythonRound((resized.height - resolution) / 2));
    const x = Math.max(0, pythonRound((resized.width - resolution) / 2));
    return { flip, cropTopLeft: [y, x] };
  }
  if (resized.height < resolution || resized.width < resolution) {
    throw new RangeError(`a ${resolution}×${resolution} crop does not fit in a ${resized.height}×${resized.width} image`);
  }
  // why: torchvision RandomCrop.get_params returns (0, 0, h, w) without drawing when the sizes are equal.
  if (resized.height === resolution && resized.width === resolution) return { flip, cropTopLeft: [0, 0] };
  const y = rng.randint(0, resized.height - resolution + 1);
  const x = rng.randint(0, resized.width - resolution + 1);
  return { flip, cropTopLeft: [y, x] };
}
