import type { ConfigProblem } from '@sdxl-trainer/core';
import { z } from 'zod';
import { optionProblem, parseOptions, type OptionDescription } from '@sdxl-trainer/core';
import { NAME } from './pluginName.js';

/** The strategies of --timestep_bias_strategy. */
export const TIMESTEP_BIAS_STRATEGIES = ['none', 'earlier', 'later', 'range'] as const;

/** Which timesteps get the multiplier: none, the first or last `portion` of them, or `[begin, end)`. */
export type TimestepBiasStrategy = (typeof TIMESTEP_BIAS_STRATEGIES)[number];

/** The options of the timestep-bias plugin (strict: unknown keys are errors); defaults are the script's. */
export const timestepBiasOptionsSchema = z.strictObject({
  /** --timestep_bias_strategy. */
  strategy: z.enum(TIMESTEP_BIAS_STRATEGIES),
  /** --timestep_bias_multiplier: weight of the biased timesteps relative to the others. */
  multiplier: z.number().positive().default(1),
  /** --timestep_bias_begin: first biased timestep of "range" (inclusive). */
  begin: z.number().int().nonnegative().default(0),
  /** --timestep_bias_end: end of "range" — exclusive, as the script's Python slice is (its help text says inclusive). */
  end: z.number().int().nonnegative().default(1000),
  /** --timestep_bias_portion: fraction of the timesteps that "earlier" and "later" bias. */
  portion: z.number().min(0).max(1).default(0.25),
});

/** Timestep-bias options as a user writes them. */
export type TimestepBiasOptions = z.input<typeof timestepBiasOptionsSchema>;

/** Timestep-bias options with defaults filled in. */
export type ResolvedTimestepBiasOptions = z.output<typeof timestepBiasOptionsSchema>;

const DESCRIBED: Readonly<Record<keyof TimestepBiasOptions, OptionDescription>> = {
  strategy: { flag: '--timestep_bias_strategy', expected: `one of ${TIMESTEP_BIAS_STRATEGIES.map((s) => `"${s}"`).join(', ')}` },
  multiplier: { flag: '--timestep_bias_multiplier', expected: 'a number > 0 (to turn the bias off, use strategy "none")' },
  begin: { flag: '--timestep_bias_begin', expected: 'an integer ≥ 0' },
  end: { flag: '--timestep_bias_end', expected: 'an integer ≥ 0, at most the number of training timesteps' },
  portion: { flag: '--timestep_bias_portion', expected: 'a number in [0, 1]' },
};

/** Validate timestep-bias options (SdxlError CONFIG_INVALID naming the option, value and what was expected). */
export function parseTimestepBiasOptions(options: unknown): ResolvedTimestepBiasOptions {
  return parseOptions(NAME, timestepBiasOptionsSchema, options, DESCRIBED, (o) =>
    o.strategy === 'range' && o.begin > o.end ? [optionProblem('begin', o.begin, DESCRIBED, `at most end (${o.end}) for strategy "range"`)] : [],
  );
}

/** The problems of options that only show once the number of training timesteps T is known ("range" needs end ≤ T). */
export function timestepProblems(options: ResolvedTimestepBiasOptions, numTimesteps: number): ConfigProblem[] {
  if (options.strategy !== 'range' || options.end <= numTimesteps) return [];
  return [optionProblem('end', options.end, DESCRIBED, `at most the number of training timesteps (${numTimesteps}) for strategy "range"`)];
}
