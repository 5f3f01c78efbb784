import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_FILE } from './buildFolderOnce.js';
import { makeTinyShapesDataset } from './makeTinyShapesDataset.js';
import { BACKGROUNDS, COLOURS, SHAPES } from './shapes.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tiny-shapes-data-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Row {
  file_name: string;
  text: string;
}

const readRows = (dir: string): Row[] =>
  readFileSync(join(dir, 'metadata.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Row);

const CAPTION = /^(?:a (red|green|blue|yellow) (circle|square|triangle|diamond)|(red|green|blue|yellow) (stripes)) on a (white|black|gray) background$/;

describe('makeTinyShapesDataset', () => {
  it('writes count PNGs of size × size and one caption per image in metadata.jsonl', async () => {
    const dir = join(root, 'a');
    expect(await makeTinyShapesDataset(dir, { count: 12, size: 40, seed: 3 })).toEqual({ dir, created: true });
    const rows = readRows(dir);
    expect(rows).toHaveLength(12);
    expect(readdirSync(dir).filter((f) => f.endsWith('.png')).sort()).toEqual(rows.map((r) => r.file_name).sort());
    for (const row of rows) {
      expect(row.text).toMatch(CAPTION);
      const { info } = await sharp(join(dir, row.file_name)).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([40, 40, 3]);
    }
  });

  it('draws what the caption says: the colour at the centre, the background in the corners', async () => {
    const dir = join(root, 'b');
    await makeTinyShapesDataset(dir, { count: 60, size: 48, seed: 5 });
    const rows = readRows(dir);
    // every shape × colour × background appears once in the first 60 images
    expect(new Set(rows.map((r) => r.text)).size).toBe(SHAPES.length * Object.keys(COLOURS).length * Object.keys(BACKGROUNDS).length);
    for (const row of rows) {
      const [, colourA, , colourB, stripes, background] = CAPTION.exec(row.text)!;
      const colour = COLOURS[(colourA ?? colourB) as keyof typeof COLOURS];
      const bg = BACKGROUNDS[background as keyof typeof BACKGROUNDS];
      const { data } = await sharp(join(dir, row.file_name)).raw().toBuffer({ resolveWithObject: true });
      const pixel = (x: number, y: number) => [...data.subarray((y * 48 + x) * 3, (y * 48 + x) * 3 + 3)];
      const all = Array.from({ length: 48 * 48 }, (_, i) => pixel(i % 48, Math.floor(i / 48)).join());
      if (stripes) {
        // bands cover the picture: both colours fill whole pixels somewhere
        expect(all).toContain(colour.join());
        expect(all).toContain(bg.join());
      } else {
        // shapes are centred within ±0.1 of the middle with a half-size ≥ 0.25: the middle pixel is inside, corners outside
        expect(pixel(24, 24), row.text).toEqual([...colour]);
        for (const [x, y] of [[0, 0], [47, 0], [0, 47], [47, 47]] as const) expect(pixel(x, y), row.text).toEqual([...bg]);
      }
    }
  });

  it('is idempotent: the same options leave the folder untouched, other options rebuild it', async () => {
    const dir = join(root, 'c');
    await makeTinyShapesDataset(dir, { count: 4, size: 32, seed: 1 });
    const before = statSync(join(dir, '000.png')).mtimeMs;
    expect((await makeTinyShapesDataset(dir, { count: 4, size: 32, seed: 1 })).created).toBe(false);
    expect(statSync(join(dir, '000.png')).mtimeMs).toBe(before);
    expect((await makeTinyShapesDataset(dir, { count: 5, size: 32, seed: 1 })).created).toBe(true);
    expect(readRows(dir)).toHaveLength(5);
    expect(JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8'))).toMatchObject({ count: 5, size: 32, seed: 1 });
  });

  it('gives the same pictures for the same seed and others for another seed', async () => {
    await makeTinyShapesDataset(join(root, 'd1'), { count: 6, size: 32, seed: 9 });
    await makeTinyShapesDataset(join(root, 'd2'), { count: 6, size: 32, seed: 9 });
    await makeTinyShapesDataset(join(root, 'd3'), { count: 6, size: 32, seed: 10 });
    const bytes = (d: string) => readRows(join(root, d)).map((r) => readFileSync(join(root, d, r.file_name)).toString('base64') + r.text);
    expect(bytes('d1')).toEqual(bytes('d2'));
    expect(bytes('d1')).not.toEqual(bytes('d3'));
  });
});
