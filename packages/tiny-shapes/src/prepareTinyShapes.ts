import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend } from '@sdxl-trainer/tensor';
import { makeTinySdxlPipeline } from './makeTinySdxlPipeline.js';
import { makeTinyShapesDataset } from './makeTinyShapesDataset.js';

/** Options of {@link prepareTinyShapes}. */
export interface PrepareTinyShapesOptions {
  /** Folder that receives `data/`, `sdxl-tiny-shapes/` and `precompute/`. */
  readonly cacheDir: string;
  /** Images in the dataset (default 48). */
  readonly count?: number;
  /** Side of the images and of the pipeline's default output (default 64). */
  readonly resolution?: number;
  /** Seed of the dataset and the initial weights (default 0). */
  readonly seed?: number;
}

/** Where {@link prepareTinyShapes} put things. */
export interface TinyShapesFolders {
  /** The image folder (`--train_data_dir`). */
  readonly dataDir: string;
  /** The tiny SDXL pipeline (`--pretrained_model_name_or_path`). */
  readonly pipelineDir: string;
  /** The precompute cache (text embeddings and latents) for the preset's `precomputeCacheDir`. */
  readonly precomputeDir: string;
  /** What was built this time (empty when everything was there already). */
  readonly created: readonly ('dataset' | 'pipeline')[];
}

/**
 * Makes the dataset and the tiny pipeline under `cacheDir` if they are not there yet. Weights are initialised on the
 * wasm backend with one thread (the trainer starts its own backend afterwards). A new pipeline clears the precompute
 * cache. why: @sdxl-trainer/plugin-sdxl-vae keys cached latents by the VAE folder's path, not by its weights, so a
 * pipeline made again in the same folder would otherwise train on the old VAE's latents.
 */
export async function prepareTinyShapes(options: PrepareTinyShapesOptions): Promise<TinyShapesFolders> {
  const resolution = options.resolution ?? 64;
  const seed = options.seed ?? 0;
  const dataDir = join(options.cacheDir, 'data');
  const pipelineDir = join(options.cacheDir, 'sdxl-tiny-shapes');
  const precomputeDir = join(options.cacheDir, 'precompute');
  const created: ('dataset' | 'pipeline')[] = [];
  if ((await makeTinyShapesDataset(dataDir, { count: options.count ?? 48, size: resolution, seed })).created) created.push('dataset');
  await initBackend({ backend: 'wasm', threads: 1 });
  if ((await makeTinySdxlPipeline(pipelineDir, { seed, resolution })).created) {
    created.push('pipeline');
    await rm(precomputeDir, { recursive: true, force: true });
  }
  return { dataDir, pipelineDir, precomputeDir, created };
}
