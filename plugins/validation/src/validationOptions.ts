import { optionProblem, parseOptions, type ConfigProblem, type OptionDescription } from '@sdxl-trainer/core';
import { z } from 'zod';

/** A pixel count the pipeline accepts: a positive multiple of 8 (diffusers' `check_inputs`). */
const pixels = z.number().int().positive().multipleOf(8);

/**
 * The options of the validation plugin (strict: unknown keys are errors). Defaults are the SDXL script's:
 * `--num_validation_images` 4, 25 steps and the pipeline's guidance 5, the run's `--seed`.
 */
export const validationOptionsSchema = z.strictObject({
  /** --validation_prompt: the prompt every validation and the final test render. */
  prompt: z.string().min(1),
  /** --num_validation_images: images per validation (and in the final test). */
  numImages: z.number().int().positive().default(4),
  /** Denoising steps per image (the script hard-codes 25). */
  numInferenceSteps: z.number().int().positive().default(25),
  /** Classifier-free guidance weight; ≤ 1 turns guidance off (the pipeline's default, 5, as the script uses). zod 4 refuses NaN and ±Infinity. */
  guidanceScale: z.number().default(5),
  /** Base seed: image i starts from the noise of seed + i. Default: the run's seed (--seed). */
  seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  /** Where the PNGs go (`step-<step>/<i>.png`, `final/<i>.png`). Default `<outputDir>/validation`. */
  imagesDir: z.string().min(1).optional(),
  /** Image size: one number (square) or `{ width, height }`, multiples of 8. Default the UNet's sample_size × 8. */
  resolution: z.union([pixels, z.strictObject({ width: pixels, height: pixels })]).optional(),
  /** Render the test images from the saved output folder after training (the script's final "test" run). */
  finalTest: z.boolean().default(true),
  /** Keep the text encoders, tokenizers and VAE in memory between validations (faster; costs their weights' memory). */
  keepComponentsLoaded: z.boolean().default(true),
  /** Queries per attention chunk in the VAE and text encoders this plugin loads (same numbers, less memory). */
  attentionChunkSize: z.number().int().positive().optional(),
  /** --cache_dir: the Hugging Face cache for components given as Hub ids. */
  cacheDir: z.string().min(1).optional(),
});

/** Validation options as a user writes them. */
export type ValidationOptions = z.input<typeof validationOptionsSchema>;

/** Validation options with the defaults filled in. */
export type ResolvedValidationOptions = z.output<typeof validationOptionsSchema>;

const DESCRIBED: Readonly<Record<keyof ValidationOptions, OptionDescription>> = {
  prompt: { flag: '--validation_prompt', expected: 'a non-empty prompt' },
  numImages: { flag: '--num_validation_images', expected: 'a positive integer' },
  numInferenceSteps: { expected: 'a positive integer (denoising steps per image; the script uses 25)' },
  guidanceScale: { expected: 'a finite number (classifier-free guidance weight; ≤ 1 turns guidance off)' },
  seed: { flag: '--seed', expected: 'a non-negative safe integer (image i uses seed + i; default: the run seed)' },
  imagesDir: { expected: 'a folder path (default: <outputDir>/validation)' },
  resolution: { flag: '--resolution', expected: 'a positive multiple of 8, or { width, height } with positive multiples of 8' },
  finalTest: { expected: 'true or false' },
  keepComponentsLoaded: { expected: 'true or false' },
  attentionChunkSize: { flag: '--enable_xformers_memory_efficient_attention', expected: 'a positive integer (queries per attention chunk)' },
  cacheDir: { flag: '--cache_dir', expected: 'a folder path' },
};

/** Validate validation options (SdxlError CONFIG_INVALID naming the option, its flag, the value and what was expected). */
export function parseValidationOptions(plugin: string, options: unknown): ResolvedValidationOptions {
  return parseOptions(plugin, validationOptionsSchema, options, DESCRIBED, (resolved): ConfigProblem[] => {
    const problems: ConfigProblem[] = [];
    // why: image i uses seed + i, and every seed must stay a safe integer.
    if (resolved.seed !== undefined && resolved.seed + resolved.numImages - 1 > Number.MAX_SAFE_INTEGER) {
      problems.push(optionProblem('seed', resolved.seed, DESCRIBED, `at most ${Number.MAX_SAFE_INTEGER - resolved.numImages + 1} (seed + numImages - 1 must be a safe integer)`));
    }
    return problems;
  });
}

/** The `{ width, height }` of a resolution option; undefined leaves the pipeline's default (unet sample_size × 8). */
export function imageSize(resolution: ResolvedValidationOptions['resolution']): { width?: number; height?: number } {
  if (resolution === undefined) return {};
  return typeof resolution === 'number' ? { width: resolution, height: resolution } : { width: resolution.width, height: resolution.height };
}
