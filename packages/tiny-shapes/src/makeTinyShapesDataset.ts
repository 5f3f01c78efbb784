import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng } from '@sdxl-trainer/tensor';
import sharp from 'sharp';
import { buildFolderOnce, type BuiltFolder } from './buildFolderOnce.js';
import { BACKGROUNDS, captionOf, COLOURS, renderScene, SHAPES, type Background, type Colour, type ShapeScene } from './shapes.js';

/** Options of {@link makeTinyShapesDataset}. */
export interface TinyShapesDatasetOptions {
  /** Number of images (default 48). */
  readonly count?: number;
  /** Side of the square PNGs in pixels (default 64). */
  readonly size?: number;
  /** Seed of the scene choices (default 0). */
  readonly seed?: number;
}

/** One row of the dataset. */
export interface TinyShapesRow {
  readonly fileName: string;
  readonly caption: string;
  readonly scene: ShapeScene;
}

/** The manifest format; bump when the pictures change for the same options. */
const DATASET_FORMAT = 1;

/**
 * The scenes of a dataset: the shape × colour × background combinations in a seeded order (all of them appear once
 * before any repeats), each at a seeded position and size. Pure: the same options give the same rows.
 */
export function tinyShapesRows(options: TinyShapesDatasetOptions = {}): TinyShapesRow[] {
  const { count, seed } = resolve(options);
  const combos = SHAPES.flatMap((shape) =>
    (Object.keys(COLOURS) as Colour[]).flatMap((colour) => (Object.keys(BACKGROUNDS) as Background[]).map((background) => ({ shape, colour, background }))),
  );
  const rng = Rng.fromSeed(seed, 'tiny-shapes');
  const order = rng.permutation(combos.length);
  return Array.from({ length: count }, (_, i) => {
    const combo = combos[order[i % combos.length]!]!;
    const stripes = combo.shape === 'stripes';
    const scene: ShapeScene = {
      ...combo,
      centerX: 0.5 + (rng.random() - 0.5) * 0.2,
      centerY: 0.5 + (rng.random() - 0.5) * 0.2,
      // why: stripes take a period of 1/6 to 1/4 of the side; shapes a half-size of 0.25 to 0.35.
      radius: stripes ? 1 / (4 + rng.random() * 2) : 0.25 + rng.random() * 0.1,
    };
    return { fileName: `${String(i).padStart(3, '0')}.png`, caption: captionOf(scene), scene };
  });
}

/**
 * Writes a small captioned image folder as 🤗 datasets' `imagefolder` reads it (`--train_data_dir`): PNGs of simple
 * shapes in a few colours on a few backgrounds, and `metadata.jsonl` with `file_name` and `text` ("a red circle on a
 * white background"). Idempotent: a folder already made from the same options is left as it is.
 */
export async function makeTinyShapesDataset(dir: string, options: TinyShapesDatasetOptions = {}): Promise<BuiltFolder> {
  const resolved = resolve(options);
  const rows = tinyShapesRows(resolved);
  return buildFolderOnce(dir, { kind: 'tiny-shapes dataset', format: DATASET_FORMAT, ...resolved }, async (tmp) => {
    for (const row of rows) {
      const pixels = renderScene(row.scene, resolved.size);
      await sharp(pixels, { raw: { width: resolved.size, height: resolved.size, channels: 3 } })
        .png()
        .toFile(join(tmp, row.fileName));
    }
    const metadata = rows.map((row) => JSON.stringify({ file_name: row.fileName, text: row.caption })).join('\n');
    await writeFile(join(tmp, 'metadata.jsonl'), `${metadata}\n`);
  });
}

function resolve(options: TinyShapesDatasetOptions): Required<TinyShapesDatasetOptions> {
  const resolved = { count: options.count ?? 48, size: options.size ?? 64, seed: options.seed ?? 0 };
  if (!Number.isInteger(resolved.count) || resolved.count < 1) throw new RangeError(`makeTinyShapesDataset: count must be a positive integer, got ${resolved.count}`);
  if (!Number.isInteger(resolved.size) || resolved.size < 8) throw new RangeError(`makeTinyShapesDataset: size must be an integer of at least 8, got ${resolved.size}`);
  if (!Number.isSafeInteger(resolved.seed) || resolved.seed < 0) throw new RangeError(`makeTinyShapesDataset: seed must be a non-negative integer, got ${resolved.seed}`);
  return resolved;
}
