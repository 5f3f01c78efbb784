import { parseOptions, type OptionDescription } from '@sdxl-trainer/core';
import { z } from 'zod';

/** The options of the VAE-swap plugin (strict: unknown keys are errors). */
export const vaeSwapOptionsSchema = z.strictObject({
  /** --pretrained_vae_model_name_or_path: a VAE folder or Hub repo whose root holds config.json and the weights. */
  path: z.string().min(1),
  /** Hub revision of the VAE; default: the pipeline's (--revision, as the script passes it); null for the default branch. */
  revision: z.string().min(1).nullable().optional(),
  /** Weights variant of the VAE; default: the pipeline's (--variant, as the script passes it); null for the plain weights. */
  variant: z.string().min(1).nullable().optional(),
});

/** VAE-swap options as a user writes them. */
export type VaeSwapOptions = z.input<typeof vaeSwapOptionsSchema>;

/** VAE-swap options after validation. */
export type ResolvedVaeSwapOptions = z.output<typeof vaeSwapOptionsSchema>;

const DESCRIBED: Readonly<Record<keyof VaeSwapOptions, OptionDescription>> = {
  path: { flag: '--pretrained_vae_model_name_or_path', expected: 'a local VAE folder or a Hub id such as "madebyollin/sdxl-vae-fp16-fix"' },
  revision: { flag: '--revision', expected: 'a non-empty branch, tag or commit id, or null for the default branch' },
  variant: { flag: '--variant', expected: 'a non-empty weights variant such as "fp16", or null for the plain weights' },
};

/** Validate VAE-swap options (SdxlError CONFIG_INVALID naming the option, its flag, the value and what was expected). */
export function parseVaeSwapOptions(plugin: string, options: unknown): ResolvedVaeSwapOptions {
  return parseOptions(plugin, vaeSwapOptionsSchema, options, DESCRIBED);
}
