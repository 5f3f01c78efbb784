import type { HostTensor } from '@sdxl-trainer/core';
import type { AugmentationPlan } from './AugmentationPlan.js';
import type { RawImage } from './pilResample.js';

// why: torchvision ToTensor divides uint8 by 255 in float32, then Normalize([0.5], [0.5]) subtracts 0.5 and divides
// by 0.5, each rounded to float32; a 256-entry table gives the same float32 values at a fraction of the cost.
const TO_UNIT = new Float32Array(256).map((_, v) => Math.fround((Math.fround(v / 255) - 0.5) / 0.5));

/**
 * Cut the `resolution`² crop out of a resized RGB image — mirrored first when the plan says so, then cropped at
 * `cropTopLeft` in the mirrored image, as `preprocess_train` does — and scale it to float32 in [-1, 1], NHWC
 * `[resolution, resolution, 3]`.
 */
export function toPixelTensor(image: RawImage, plan: AugmentationPlan, resolution: number): HostTensor {
  const { width, height, channels, data } = image;
  const [y1, x1] = plan.cropTopLeft;
  if (channels !== 3) throw new RangeError(`expected an RGB image, got ${channels} channels`);
  if (y1 < 0 || x1 < 0 || y1 + resolution > height || x1 + resolution > width) {
    throw new RangeError(`crop [${y1}, ${x1}] + ${resolution} lies outside the ${height}×${width} image`);
  }
  const out = new Float32Array(resolution * resolution * 3);
  const rowValues = resolution * 3;
  for (let y = 0; y < resolution; y++) {
    const o = y * rowValues;
    const row = (y1 + y) * width * channels;
    if (!plan.flip) {
      // why: unflipped, a crop row is one contiguous run of source values (channels === 3 after decoding).
      const from = row + x1 * channels;
      for (let k = 0; k < rowValues; k++) out[o + k] = TO_UNIT[data[from + k]!]!;
      continue;
    }
    // mirrored: crop column x reads resized column (width - 1 - (x1 + x))
    let from = row + (width - 1 - x1) * channels;
    for (let k = 0; k < rowValues; k += 3, from -= channels) {
      out[o + k] = TO_UNIT[data[from]!]!;
      out[o + k + 1] = TO_UNIT[data[from + 1]!]!;
      out[o + k + 2] = TO_UNIT[data[from + 2]!]!;
    }
  }
  return { data: out, shape: [resolution, resolution, 3] };
}
