import { Rng, type HostTensor } from '@sdxl-trainer/core';
import { ErrorCode, type SdxlError } from '@sdxl-trainer/errors';
import { latentCacheKey } from '../cache/cacheKeys.js';
import type { LatentEncoder } from '../cache/encoders.js';
import { sha256Hex } from '../cache/hashing.js';
import type { TensorCache } from '../cache/TensorCache.js';
import { planAugmentation } from '../image/AugmentationPlan.js';
import { probeImage } from '../image/decodeImage.js';
import { preprocessImage } from '../image/preprocessImage.js';
import { resizedSize } from '../image/resizedSize.js';
import type { TransformSettings } from '../image/TransformSettings.js';
import type { BadSampleLog } from '../source/badSample.js';
import type { ImageSource, SampleOrigin } from '../source/ImageSource.js';
import { mapLimit } from '../util/mapLimit.js';
import { checkEncoderOutput } from './checkEncoderOutput.js';
import type { LatentVariant } from './SdxlLatentDataset.js';

/** How {@link precomputeLatents} runs. */
export interface LatentPhaseOptions {
  readonly source: ImageSource;
  readonly encoder: LatentEncoder;
  readonly cache: TensorCache;
  readonly settings: TransformSettings;
  readonly seed: number;
  readonly variants: number;
  readonly batchSize: number;
  readonly decodeConcurrency: number;
  readonly log: BadSampleLog;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

interface Failure {
  readonly code: ErrorCode;
  readonly origin: SampleOrigin;
  readonly reason: string;
  readonly cause: unknown;
}

interface Pending {
  readonly key: string;
  readonly pixels: HostTensor;
  readonly meta: Record<string, unknown>;
}

/**
 * The augmentation of variant `variant` of an image: flip and crop drawn once from (seed, image content, variant),
 * so the same image gets the same crops in every run and on every machine, whatever its row.
 */
export function augmentationRng(seed: number, imageSha256: string, variant: number): Rng {
  return Rng.fromSeed(seed, `data/augment/${imageSha256}/${variant}`);
}

/**
 * Make sure every row has valid latent entries for its `variants` augmentations. Rows are read in order (so parquet
 * row groups are read once), `decodeConcurrency` at a time; missing latents are decoded and encoded `batchSize`
 * images at a time, so at most one window of pixel tensors is in memory. Unreadable images go to the log.
 * Returns the variants of each row (undefined for a row left out); failures are reported to the log in row order.
 */
export async function precomputeLatents(options: LatentPhaseOptions): Promise<(LatentVariant[] | undefined)[]> {
  const { source, encoder, cache, settings } = options;
  const out: (LatentVariant[] | undefined)[] = new Array(source.size);
  const scheduled = new Set<string>();
  const window = Math.max(options.batchSize, options.decodeConcurrency);
  let done = 0;
  for (let start = 0; start < source.size; start += window) {
    const rows = Array.from({ length: Math.min(window, source.size - start) }, (_, i) => start + i);
    const pending: Pending[] = [];
    const prepared = await mapLimit(rows, options.decodeConcurrency, (row) => prepareRow(row, options, scheduled, pending));
    // why: report failures in row order (not completion order), so logs and the first error are deterministic.
    prepared.forEach((result, i) => {
      if (Array.isArray(result)) out[rows[i]!] = result;
      else options.log.report(result.code, result.origin, result.reason, result.cause);
    });
    for (let b = 0; b < pending.length; b += options.batchSize) {
      const batch = pending.slice(b, b + batchEnd(b, options.batchSize, pending.length));
      const factor = encoder.downsampleFactor ?? 8;
      const size = settings.resolution / factor;
      const latents = checkEncoderOutput(encoder.id, 'latents', await encoder.encode(batch.map((p) => p.pixels)), batch.length, [size, size, undefined]);
      await Promise.all(batch.map((p, i) => cache.store(p.key, { tensors: { latent: latents[i]! }, meta: p.meta })));
    }
    done += rows.length;
    options.onProgress?.(done, source.size);
  }
  return out;
}

function batchEnd(start: number, batchSize: number, length: number): number {
  return Math.min(batchSize, length - start);
}

async function prepareRow(row: number, options: LatentPhaseOptions, scheduled: Set<string>, pending: Pending[]): Promise<LatentVariant[] | Failure> {
  const { source, settings } = options;
  let record;
  try {
    record = await source.read(row);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== ErrorCode.DATA_IMAGE_INVALID && code !== ErrorCode.DATA_IMAGE_NOT_FOUND) throw error;
    const reason = typeof (error as SdxlError).details?.['reason'] === 'string' ? ((error as SdxlError).details!['reason'] as string) : (error as Error).message;
    return { code, origin: source.origin(row), reason, cause: error };
  }
  const undecodable = (error: unknown): Failure => ({
    code: ErrorCode.DATA_IMAGE_INVALID,
    origin: record.origin,
    reason: `the image cannot be decoded (${error instanceof Error ? error.message : String(error)})`,
    cause: error,
  });
  const imageSha256 = sha256Hex(record.image);
  let probe;
  try {
    probe = await probeImage(record.image);
  } catch (error) {
    return undecodable(error);
  }
  const resized = resizedSize(probe.size, settings.resolution);
  const variants: LatentVariant[] = [];
  const mine: Pending[] = [];
  for (let v = 0; v < options.variants; v++) {
    const plan = planAugmentation(resized, settings, augmentationRng(options.seed, imageSha256, v));
    const key = latentCacheKey({
      encoderId: options.encoder.id,
      imageSha256,
      resolution: settings.resolution,
      interpolation: settings.interpolation,
      resampler: settings.resampler,
      cropTopLeft: plan.cropTopLeft,
      flip: plan.flip,
    });
    const variant: LatentVariant = { key, originalSize: [probe.size.height, probe.size.width], cropTopLeft: plan.cropTopLeft, flip: plan.flip };
    variants.push(variant);
    if (scheduled.has(key) || mine.some((p) => p.key === key) || (await options.cache.lookup(key)) !== undefined) continue;
    let image;
    try {
      image = await preprocessImage(record.image, settings, () => plan, probe);
    } catch (error) {
      return undecodable(error);
    }
    const meta = { originalSize: variant.originalSize, cropTopLeft: variant.cropTopLeft, flip: variant.flip, targetSize: image.targetSize, source: record.origin, encoder: options.encoder.id };
    mine.push({ key, pixels: image.pixels, meta });
  }
  // why: a row joins the batch only whole, so a decode failure in a later variant leaves nothing half-scheduled.
  for (const p of mine) {
    scheduled.add(p.key);
    pending.push(p);
  }
  for (const v of variants) scheduled.add(v.key);
  return variants;
}
