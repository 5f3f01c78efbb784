import { z } from 'zod';
import { parseOptions, type OptionDescription } from '@sdxl-trainer/core';

/** The options of the Min-SNR plugin (strict: unknown keys are errors). */
export const minSnrOptionsSchema = z.strictObject({
  /** γ (--snr_gamma): SNRs above it are capped. The paper and diffusers recommend 5. */
  gamma: z.number().positive(),
  /** Give a timestep with SNR exactly 0 weight 1 with epsilon prediction, instead of diffusers' NaN. Off by default (parity). */
  guardZeroSnr: z.boolean().default(false),
});

/** Min-SNR options as a user writes them. */
export type MinSnrOptions = z.input<typeof minSnrOptionsSchema>;

/** Min-SNR options with defaults filled in. */
export type ResolvedMinSnrOptions = z.output<typeof minSnrOptionsSchema>;

const DESCRIBED: Readonly<Record<keyof MinSnrOptions, OptionDescription>> = {
  gamma: { flag: '--snr_gamma', expected: 'a positive finite number (5 is the recommended value)' },
  guardZeroSnr: { expected: 'true or false' },
};

/** Validate Min-SNR options (SdxlError CONFIG_INVALID naming the option, value and what was expected). */
export function parseMinSnrOptions(plugin: string, options: unknown): ResolvedMinSnrOptions {
  return parseOptions(plugin, minSnrOptionsSchema, options, DESCRIBED);
}
