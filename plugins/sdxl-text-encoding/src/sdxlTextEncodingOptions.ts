import { parseOptions, type OptionDescription } from '@sdxl-trainer/core';
import { z } from 'zod';

/** The options of the SDXL text-encoding plugin (strict: unknown keys are errors). */
export const sdxlTextEncodingOptionsSchema = z.strictObject({
  /** --proportion_empty_prompts: the share of samples trained without their caption. */
  proportionEmptyPrompts: z.number().min(0).max(1).default(0),
  /** `encode`: the script's "" caption, frozen per row at precompute; `zero`: zeroed conditioning drawn every micro-step. */
  emptyPromptMode: z.enum(['encode', 'zero']).default('encode'),
  /** Prompts per text-encoder forward pass. */
  batchSize: z.number().int().positive().default(8),
  /** --cache_dir: the Hugging Face cache for Hub model ids. */
  cacheDir: z.string().min(1).optional(),
});

/** Text-encoding options as a user writes them. */
export type SdxlTextEncodingOptions = z.input<typeof sdxlTextEncodingOptionsSchema>;

/** Text-encoding options with defaults filled in. */
export type ResolvedSdxlTextEncodingOptions = z.output<typeof sdxlTextEncodingOptionsSchema>;

const DESCRIBED: Readonly<Record<keyof SdxlTextEncodingOptions, OptionDescription>> = {
  proportionEmptyPrompts: { flag: '--proportion_empty_prompts', expected: 'a number in [0, 1]' },
  emptyPromptMode: { expected: '"encode" (the script: "" frozen per row at precompute) or "zero" (zeroed conditioning per micro-step)' },
  batchSize: { expected: 'a positive integer (prompts per text-encoder forward pass)' },
  cacheDir: { flag: '--cache_dir', expected: 'a folder path (the Hugging Face cache)' },
};

/** Validate the options (SdxlError CONFIG_INVALID naming the option, its flag, the value and what was expected). */
export function parseSdxlTextEncodingOptions(plugin: string, options: unknown): ResolvedSdxlTextEncodingOptions {
  return parseOptions(plugin, sdxlTextEncodingOptionsSchema, options ?? {}, DESCRIBED);
}
