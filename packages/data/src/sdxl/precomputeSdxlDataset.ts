import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { LatentEncoder, TextEmbedder } from '../cache/encoders.js';
import { TensorCache, type CacheStats } from '../cache/TensorCache.js';
import { transformSettings, type TransformOptions } from '../image/TransformSettings.js';
import { BadSampleLog, emptyDatasetError } from '../source/badSample.js';
import type { BadSample, ImageSource, OnBadSample } from '../source/ImageSource.js';
import { precomputeLatents } from './precomputeLatents.js';
import { precomputeText } from './precomputeText.js';
import { SdxlLatentDataset, type PrecomputedSample } from './SdxlLatentDataset.js';

/** What {@link precomputeSdxlDataset} needs. */
export interface PrecomputeOptions {
  readonly source: ImageSource;
  readonly textEmbedder: TextEmbedder;
  readonly latentEncoder: LatentEncoder;
  /** Folder of the caches (`text/`, `latents/` below it); shared by runs and by datasets. */
  readonly cacheDir: string;
  /** `--resolution`, `--center_crop`, `--random_flip`, `--image_interpolation_mode`, resampler. */
  readonly transform?: TransformOptions | undefined;
  /** `--seed` (default 0): decides the random crops/flips and caption choices. */
  readonly seed?: number | undefined;
  /** Augmentations cached per image (default 1); epoch e trains on variant e mod N. Costs N encodes per image. */
  readonly augmentationVariants?: number | undefined;
  /** Captions per text-encoder call (default 8). */
  readonly textBatchSize?: number | undefined;
  /** Images per VAE call (default 4; the script uses --train_batch_size). */
  readonly latentBatchSize?: number | undefined;
  /** Images decoded at once (default: the number of CPUs). */
  readonly decodeConcurrency?: number | undefined;
  /** Unreadable images: stop (default) or leave out and list. */
  readonly onBadSample?: OnBadSample | undefined;
  readonly logger?: Logger | undefined;
  readonly onProgress?: ((progress: { readonly phase: 'text' | 'latents'; readonly done: number; readonly total: number }) => void) | undefined;
}

/** What a precompute did. */
export interface PrecomputeSummary {
  readonly samples: number;
  /** Rows left out (while opening the source, and undecodable images here). */
  readonly skipped: readonly BadSample[];
  readonly text: CacheStats;
  readonly latents: CacheStats;
  readonly seconds: number;
}

/**
 * The script's precompute (`encode_prompt` + `compute_vae_encodings` through `datasets.map`), as a per-sample disk
 * cache instead: text embeddings keyed by the exact caption and the embedder id, latents by image content, VAE id
 * and the pixel-changing settings. Valid entries are reused (also across runs with other learning rates, output
 * folders…), corrupt ones recomputed. Each latent is stored with the crop and flip that produced it, and the
 * returned dataset serves those — never a fresh random crop's coordinates (the script's mismatch,
 * mission-anchors §2.5).
 */
export async function precomputeSdxlDataset(options: PrecomputeOptions): Promise<{ dataset: SdxlLatentDataset; summary: PrecomputeSummary }> {
  const started = performance.now();
  const { source, logger } = options;
  const settings = transformSettings(options.transform);
  const seed = options.seed ?? 0;
  const variants = positiveInteger(options.augmentationVariants ?? 1, 'augmentationVariants');
  const caches = { text: new TensorCache(join(options.cacheDir, 'text')), latents: new TensorCache(join(options.cacheDir, 'latents')) };
  const log = new BadSampleLog(options.onBadSample ?? 'error');

  const cells = Array.from({ length: source.size }, (_, i) => source.caption(i));
  const captionsOf = (i: number): string[] => {
    const cell = cells[i];
    return typeof cell === 'string' ? [cell] : [...(cell ?? [])];
  };
  logger?.info(`precompute: ${source.size} samples of ${source.description}`);
  const textKeys = await precomputeText(cells.flatMap((_, i) => captionsOf(i)), options.textEmbedder, caches.text, positiveInteger(options.textBatchSize ?? 8, 'textBatchSize'), (done, total) =>
    options.onProgress?.({ phase: 'text', done, total }),
  );
  const latentVariants = await precomputeLatents({
    source,
    encoder: options.latentEncoder,
    cache: caches.latents,
    settings,
    seed,
    variants,
    batchSize: positiveInteger(options.latentBatchSize ?? 4, 'latentBatchSize'),
    decodeConcurrency: positiveInteger(options.decodeConcurrency ?? availableParallelism(), 'decodeConcurrency'),
    log,
    onProgress: (done, total) => options.onProgress?.({ phase: 'latents', done, total }),
  });

  const samples: PrecomputedSample[] = [];
  latentVariants.forEach((variantsOfRow, row) => {
    if (variantsOfRow === undefined) return;
    samples.push({ row, origin: source.origin(row), captions: captionsOf(row).map((text) => ({ text, key: textKeys.get(text)! })), variants: variantsOfRow });
  });
  const skipped = [...source.skipped, ...log.samples];
  if (samples.length === 0) throw emptyDatasetError(source.description, skipped);
  const summary: PrecomputeSummary = { samples: samples.length, skipped, text: caches.text.stats, latents: caches.latents.stats, seconds: (performance.now() - started) / 1000 };
  logger?.info(describeSummary(summary), { summary });
  for (const bad of skipped.slice(0, 20)) logger?.warn(`skipped ${bad.file} row ${bad.row}: ${bad.reason}`);
  return { dataset: new SdxlLatentDataset(samples, caches, { seed, resolution: settings.resolution }), summary };
}

/** One line for the log: samples, hits/computed/recovered and size of both caches, skipped rows, time. */
export function describeSummary(s: PrecomputeSummary): string {
  const cache = (name: string, c: CacheStats) => `${name} ${c.hits} cached + ${c.computed} computed${c.recovered ? ` (${c.recovered} corrupt entries recomputed)` : ''}, ${(c.bytesOnDisk / 2 ** 20).toFixed(1)} MiB`;
  return `precompute: ${s.samples} samples; ${cache('text', s.text)}; ${cache('latents', s.latents)}; ${s.skipped.length} skipped; ${s.seconds.toFixed(1)} s`;
}

function positiveInteger(value: number, field: string): number {
  if (Number.isInteger(value) && value >= 1) return value;
  throw new SdxlError(ErrorCode.DATA_OPTION_INVALID, `${field} must be a positive integer, got ${value}`, { details: { field, value } });
}
