import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ErrorCode } from '@sdxl-trainer/errors';
import { describe, expect, it } from 'vitest';
import { toUint8 } from './postprocess.js';
import { writePngs } from './writePngs.js';

const random = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 2654435761 + seed * 97) % 251);

describe('writePngs', () => {
  it('writes one lossless PNG per image (decoded pixels equal the input), named as asked, with no temporary files left', async () => {
    const folder = join(await mkdtemp(join(tmpdir(), 'pngs-')), 'nested', 'out');
    const data = random(2 * 7 * 5 * 3, 1);
    const paths = await writePngs({ data, shape: [2, 7, 5, 3] }, folder, { names: (i) => `${i}-${40 + i}` });
    expect(paths).toEqual([join(folder, '0-40.png'), join(folder, '1-41.png')]);
    expect((await readdir(folder)).sort()).toEqual(['0-40.png', '1-41.png']);
    for (const [i, path] of paths.entries()) {
      const { data: pixels, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([5, 7, 3]);
      expect(new Uint8Array(pixels)).toEqual(data.subarray(i * 105, (i + 1) * 105));
    }
  });

  it('rounds float images as diffusers does, and names image-<index>.png by default', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'pngs-'));
    const float = Float32Array.from(random(4 * 4 * 3, 2), (v) => v / 255 + 0.001);
    const [path] = await writePngs({ data: float, shape: [1, 4, 4, 3] }, folder);
    expect(path).toBe(join(folder, 'image-0.png'));
    expect(new Uint8Array(await sharp(path).raw().toBuffer())).toEqual(toUint8(float));
  });

  it('refuses names with folders, repeated names and data of the wrong length', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'pngs-'));
    const data = random(2 * 2 * 2 * 3, 3);
    await expect(writePngs({ data, shape: [2, 2, 2, 3] }, folder, { names: ['../a', 'b'] })).rejects.toMatchObject({ code: ErrorCode.PIPELINE_INPUT_INVALID });
    await expect(writePngs({ data, shape: [2, 2, 2, 3] }, folder, { names: ['a', 'a.png'] })).rejects.toThrow(/file names repeat/);
    await expect(writePngs({ data, shape: [3, 2, 2, 3] }, folder)).rejects.toThrow(/expected NHWC data of \[3, 2, 2, 3\]/);
    expect(await readdir(folder)).toEqual([]);
  });
});
