import { optionProblem, parseOptions, type ConfigProblem, type OptionDescription } from '@sdxl-trainer/core';
import { INTERPOLATION_MODES } from '@sdxl-trainer/data';
import { z } from 'zod';

/** The options of the SDXL data plugin: the script's data flags, plus cache and loader settings (strict). */
export const sdxlDataOptionsSchema = z.strictObject({
  /** --dataset_name: a Hub dataset id or a local dataset folder. */
  datasetName: z.string().min(1).optional(),
  /** --dataset_config_name. */
  datasetConfigName: z.string().min(1).optional(),
  /** --train_data_dir: an image folder (imagefolder), or with datasetName the `data_dir` inside the dataset. */
  trainDataDir: z.string().min(1).optional(),
  /** --image_column. */
  imageColumn: z.string().min(1).default('image'),
  /** --caption_column. */
  captionColumn: z.string().min(1).default('text'),
  /** --max_train_samples: keep this many rows of a seeded shuffle. */
  maxTrainSamples: z.number().int().positive().optional(),
  /** --resolution: shorter side resized to it, then a square crop; a multiple of 8. */
  resolution: z.number().int().positive().multipleOf(8).default(1024),
  /** --center_crop. */
  centerCrop: z.boolean().default(false),
  /** --random_flip. */
  randomFlip: z.boolean().default(false),
  /** --image_interpolation_mode. */
  imageInterpolationMode: z.enum(INTERPOLATION_MODES).default('lanczos'),
  /** `sharp` (libvips, fast) or `pil` (a port of Pillow's resampling, exact to the script's pixels). */
  resampler: z.enum(['sharp', 'pil']).default('sharp'),
  /** --cache_dir: the Hugging Face cache for Hub datasets. */
  cacheDir: z.string().min(1).optional(),
  /** Folder of the embedding and latent caches (default: a per-user cache shared by runs). */
  precomputeCacheDir: z.string().min(1).optional(),
  /** --dataloader_num_workers: samples read at once while training (0 = one at a time; default: the number of CPUs). */
  dataloaderNumWorkers: z.number().int().nonnegative().optional(),
  /** Batches loaded ahead of the one being trained on. */
  prefetch: z.number().int().positive().default(2),
  /** Random crops/flips cached per image; epoch e trains on variant e mod N. */
  augmentationVariants: z.number().int().positive().default(1),
  /** Captions per text-embedder call during the precompute. */
  textBatchSize: z.number().int().positive().default(8),
  /** Images per VAE call during the precompute (default: trainBatchSize, as the script's map). */
  latentBatchSize: z.number().int().positive().optional(),
  /** Unreadable rows: stop with an error, or leave them out and list them. */
  onBadSample: z.enum(['error', 'skip']).default('error'),
});

/** SDXL data options as a user writes them. */
export type SdxlDataOptions = z.input<typeof sdxlDataOptionsSchema>;

/** SDXL data options with defaults filled in. */
export type ResolvedSdxlDataOptions = z.output<typeof sdxlDataOptionsSchema>;

const folder = 'a folder path';
const DESCRIBED: Readonly<Record<keyof SdxlDataOptions, OptionDescription>> = {
  datasetName: { flag: '--dataset_name', expected: 'a Hub dataset id ("org/name") or a local dataset folder' },
  datasetConfigName: { flag: '--dataset_config_name', expected: 'a config name of the dataset' },
  trainDataDir: { flag: '--train_data_dir', expected: folder },
  imageColumn: { flag: '--image_column', expected: 'a column name' },
  captionColumn: { flag: '--caption_column', expected: 'a column name' },
  maxTrainSamples: { flag: '--max_train_samples', expected: 'a positive integer' },
  resolution: { flag: '--resolution', expected: 'a positive multiple of 8 (the VAE downsamples by 8)' },
  centerCrop: { flag: '--center_crop', expected: 'true or false' },
  randomFlip: { flag: '--random_flip', expected: 'true or false' },
  imageInterpolationMode: { flag: '--image_interpolation_mode', expected: `one of ${INTERPOLATION_MODES.join(', ')}` },
  resampler: { expected: '"sharp" or "pil"' },
  cacheDir: { flag: '--cache_dir', expected: folder },
  precomputeCacheDir: { expected: folder },
  dataloaderNumWorkers: { flag: '--dataloader_num_workers', expected: 'a non-negative integer' },
  prefetch: { expected: 'a positive integer' },
  augmentationVariants: { expected: 'a positive integer' },
  textBatchSize: { expected: 'a positive integer' },
  latentBatchSize: { expected: 'a positive integer' },
  onBadSample: { expected: '"error" or "skip"' },
};

/** Validate the options; like the script's parse_args, a source is required ("Need either a dataset name or a training folder."). */
export function parseSdxlDataOptions(plugin: string, options: unknown): ResolvedSdxlDataOptions {
  return parseOptions(plugin, sdxlDataOptionsSchema, options ?? {}, DESCRIBED, (o): ConfigProblem[] =>
    o.datasetName === undefined && o.trainDataDir === undefined
      ? [optionProblem('datasetName', undefined, DESCRIBED, 'a dataset name (datasetName, --dataset_name) or an image folder (trainDataDir, --train_data_dir); neither was given')]
      : [],
  );
}
