import { Rng } from '@sdxl-trainer/core';
import { describe, expect, it } from 'vitest';
import { coordinateImage, jpeg, pixelAt, png } from '../testing/images.js';
import { planAugmentation } from './AugmentationPlan.js';
import { preprocessImage } from './preprocessImage.js';
import { transformSettings } from './TransformSettings.js';

/**
 * The source index of each output pixel of Pillow's NEAREST resize, as Geometry.c `ImagingScaleAffine` computes it:
 * a running double `xo = scale / 2`, `xo += scale` per pixel, index `(int)xo` — the running sum's rounding matters
 * at exact ties (e.g. 76.5 · 120/85 = 108 exactly, but the sum reaches 107.999…).
 */
function pillowNearest(inSize: number, outSize: number): number[] {
  const scale = inSize / outSize;
  const out: number[] = [];
  for (let i = 0, xo = scale * 0.5; i < outSize; i++, xo += scale) out.push(Math.trunc(xo));
  return out;
}

describe('preprocessImage (preprocess_train for one image)', () => {
  it('returns [res, res, 3] float32 in [-1, 1] with torchvision ToTensor + Normalize values', async () => {
    const file = await png(coordinateImage(100, 64), 100, 64);
    const settings = transformSettings({ resolution: 64, centerCrop: true });
    const out = await preprocessImage(file, settings, (resized) => planAugmentation(resized, settings, Rng.fromSeed(0)));
    expect(out.pixels.shape).toEqual([64, 64, 3]);
    expect(out.originalSize).toEqual([64, 100]);
    expect(out.targetSize).toEqual([64, 64]);
    // torch: x.float().div(255) then (x - 0.5) / 0.5, each in float32
    const f32 = (v: number) => Math.fround((Math.fround(v / 255) - 0.5) / 0.5);
    expect(out.pixels.data[0]).toBe(f32(18)); // centre crop x1 = round(36 / 2) = 18, R encodes x
    expect(out.pixels.data[2]).toBe(f32(7));
    expect(Math.min(...out.pixels.data)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...out.pixels.data)).toBeLessThanOrEqual(1);
  });

  it('the recorded crop_top_left is where the pixels came from (random crop, no flip)', async () => {
    const file = await png(coordinateImage(120, 90), 120, 90);
    const settings = transformSettings({ resolution: 64, interpolation: 'nearest' });
    for (let seed = 0; seed < 6; seed++) {
      // 90x120 -> shorter side 64: 64 x int(64*120/90) = 64 x 85; nearest samples floor((i + 0.5) * 90/64)
      const out = await preprocessImage(file, settings, (resized) => planAugmentation(resized, settings, Rng.fromSeed(seed)));
      const [y1, x1] = out.cropTopLeft;
      expect(y1).toBe(0);
      expect(x1).toBeGreaterThanOrEqual(0);
      expect(x1).toBeLessThanOrEqual(85 - 64);
      const sourceX = (x: number) => pillowNearest(120, 85)[x]!;
      expect(pixelAt(out.pixels, 0, 0, 0)).toBe(sourceX(x1));
      expect(pixelAt(out.pixels, 0, 63, 0)).toBe(sourceX(x1 + 63));
      expect(pixelAt(out.pixels, 63, 0, 1)).toBe(pillowNearest(90, 64)[63]);
    }
  });

  it('with a flip, the crop is taken from the mirrored image (flip before crop)', async () => {
    const W = 100;
    const file = await png(coordinateImage(W, 70), W, 70);
    const settings = transformSettings({ resolution: 64, randomFlip: true, interpolation: 'nearest' });
    let flips = 0;
    for (let seed = 0; seed < 12; seed++) {
      const out = await preprocessImage(file, settings, (resized) => planAugmentation(resized, settings, Rng.fromSeed(seed)));
      // 70x100 -> 64 x int(64*100/70) = 64 x 91
      const resizedW = 91;
      const srcX = (rx: number) => pillowNearest(W, resizedW)[rx]!;
      const srcY = (ry: number) => pillowNearest(70, 64)[ry]!;
      const [y1, x1] = out.cropTopLeft;
      for (const [y, x] of [[0, 0], [10, 40], [63, 63]] as const) {
        const rx = out.flip ? resizedW - 1 - (x1 + x) : x1 + x;
        expect(pixelAt(out.pixels, y, x, 0), `seed ${seed} (${y}, ${x})`).toBe(srcX(rx));
        expect(pixelAt(out.pixels, y, x, 1)).toBe(srcY(y1 + y));
      }
      if (out.flip) flips++;
    }
    expect(flips).toBeGreaterThan(0);
    expect(flips).toBeLessThan(12);
  });

  it('original_size is the EXIF-oriented size', async () => {
    const sharp = (await import('sharp')).default;
    const file = await sharp(await jpeg(coordinateImage(80, 48), 80, 48)).withMetadata({ orientation: 6 }).toBuffer();
    const settings = transformSettings({ resolution: 32, centerCrop: true });
    const out = await preprocessImage(file, settings, (resized) => planAugmentation(resized, settings, Rng.fromSeed(0)));
    expect(out.originalSize).toEqual([80, 48]);
    // 80x48 (h x w) -> 53 x 32; centre crop y1 = round(21 / 2) = round(10.5) = 10
    expect(out.cropTopLeft).toEqual([10, 0]);
  });
});
