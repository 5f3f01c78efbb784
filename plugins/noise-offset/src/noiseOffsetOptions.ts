import { z } from 'zod';
import { parseOptions, type OptionDescription } from '@sdxl-trainer/core';

/** The options of the noise-offset plugin (strict: unknown keys are errors). */
export const noiseOffsetOptionsSchema = z.strictObject({
  /** --noise_offset: standard deviation of the per-sample, per-channel constant added to the noise; 0 turns it off. */
  offset: z.number().nonnegative(),
});

/** Noise-offset options as a user writes them. */
export type NoiseOffsetOptions = z.input<typeof noiseOffsetOptionsSchema>;

const DESCRIBED: Readonly<Record<keyof NoiseOffsetOptions, OptionDescription>> = {
  offset: { flag: '--noise_offset', expected: 'a finite number ≥ 0 (0.05 to 0.1 are common; 0 turns it off)' },
};

/** Validate noise-offset options (SdxlError CONFIG_INVALID naming the option, value and what was expected). */
export function parseNoiseOffsetOptions(plugin: string, options: unknown): z.output<typeof noiseOffsetOptionsSchema> {
  return parseOptions(plugin, noiseOffsetOptionsSchema, options, DESCRIBED);
}
