import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinateImage, pixelAt, png } from '../testing/images.js';
import { removeTempDirs, tempDir } from '../testing/tempDirs.js';
import { openImageSource } from '../source/openImageSource.js';
import type { ImageSource } from '../source/ImageSource.js';
import { SdxlPixelDataset } from './SdxlPixelDataset.js';

afterAll(removeTempDirs);

let source: ImageSource;
beforeAll(async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'a.png'), await png(coordinateImage(100, 32), 100, 32));
  await writeFile(join(dir, 'a.txt'), 'wide');
  await writeFile(join(dir, 'b.png'), 'garbage, not a png');
  await writeFile(join(dir, 'b.txt'), 'broken');
  source = await openImageSource({ trainDataDir: dir });
});

describe('SdxlPixelDataset (un-cached path)', () => {
  it('draws a fresh crop per epoch whose coordinates match the pixels', async () => {
    const dataset = new SdxlPixelDataset(source, { transform: { resolution: 32, randomFlip: true, interpolation: 'nearest' }, seed: 1 });
    const crops = new Set<string>();
    for (let epoch = 0; epoch < 8; epoch++) {
      const sample = await dataset.getInEpoch(0, epoch);
      expect(sample.pixelValues.shape).toEqual([32, 32, 3]);
      expect(sample.originalSize).toEqual([32, 100]);
      const [y1, x1] = sample.cropTopLeft;
      expect(y1).toBe(0);
      // R encodes x: unflipped the first column is x1; flipped it is 99 - x1 (flip before crop)
      expect([x1, 99 - x1]).toContain(pixelAt(sample.pixelValues, 0, 0, 0));
      crops.add(`${x1}`);
      expect(await dataset.getInEpoch(0, epoch)).toEqual(sample); // reproducible
    }
    expect(crops.size).toBeGreaterThan(1);
  });

  it('fails on an undecodable image with file and row', async () => {
    const dataset = new SdxlPixelDataset(source, { transform: { resolution: 32 } });
    await expect(dataset.get(1)).rejects.toMatchObject({ code: 'DATA_IMAGE_INVALID', details: { file: 'b.png', row: 1 } });
  });
});
