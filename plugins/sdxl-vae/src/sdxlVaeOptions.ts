import { parseOptions, type OptionDescription } from '@sdxl-trainer/core';
import { z } from 'zod';

/** The options of the SDXL VAE plugin (strict: unknown keys are errors). */
export const sdxlVaeOptionsSchema = z.strictObject({
  /** Images per VAE call (the script maps compute_vae_encodings in batches of --train_batch_size, the default here). */
  batchSize: z.number().int().positive().optional(),
  /** Seed of the latent sampling noise (`latent_dist.sample()`); default: the run's seed, else 0. */
  sampleSeed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  /** --cache_dir: the Hugging Face cache for a VAE given as a Hub id. */
  cacheDir: z.string().min(1).optional(),
});

/** SDXL VAE options as a user writes them. */
export type SdxlVaeOptions = z.input<typeof sdxlVaeOptionsSchema>;

/** SDXL VAE options after validation. */
export type ResolvedSdxlVaeOptions = z.output<typeof sdxlVaeOptionsSchema>;

const DESCRIBED: Readonly<Record<keyof SdxlVaeOptions, OptionDescription>> = {
  batchSize: { expected: 'a positive integer (images per VAE call; default: trainBatchSize)' },
  sampleSeed: { expected: 'a non-negative integer (seed of the latent sampling noise; default: the run seed)' },
  cacheDir: { flag: '--cache_dir', expected: 'a folder path' },
};

/** Validate SDXL VAE options (SdxlError CONFIG_INVALID naming the option, the value and what was expected). */
export function parseSdxlVaeOptions(plugin: string, options: unknown): ResolvedSdxlVaeOptions {
  return parseOptions(plugin, sdxlVaeOptionsSchema, options, DESCRIBED);
}
