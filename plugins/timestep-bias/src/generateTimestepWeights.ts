import { configError } from '@sdxl-trainer/core';
import { NAME } from './pluginName.js';
import { parseTimestepBiasOptions, timestepProblems, type ResolvedTimestepBiasOptions, type TimestepBiasOptions } from './timestepBiasOptions.js';

/** The timesteps `[begin, end)` that a strategy multiplies, or undefined for "none". */
export function biasedTimesteps(options: ResolvedTimestepBiasOptions, numTimesteps: number): { begin: number; end: number } | undefined {
  // why: Python's int() truncates toward zero, as Math.trunc does (`int(args.timestep_bias_portion * num_timesteps)`).
  const count = Math.trunc(options.portion * numTimesteps);
  switch (options.strategy) {
    case 'later':
      // why: the script's `slice(-count, None)`; with count = 0 that is `slice(0, None)`, every timestep (a no-op once normalised).
      return { begin: count === 0 ? 0 : numTimesteps - count, end: numTimesteps };
    case 'earlier':
      return { begin: 0, end: count };
    case 'range':
      return { begin: Math.min(options.begin, numTimesteps), end: options.end };
    case 'none':
      return undefined;
  }
}

/**
 * The sampling weights of the training timesteps, exactly as diffusers' `generate_timestep_weights(args, T)` of
 * train_text_to_image_sdxl.py computes them in float32: ones, the biased timesteps times the multiplier, divided by
 * the sum. "none" returns the un-normalised ones, as the script does (it never samples from them).
 * Invalid options (multiplier ≤ 0, begin < 0, end > T, portion outside [0, 1]) throw SdxlError(CONFIG_INVALID) —
 * the script raises for the range checks but *returns* a ValueError for the multiplier.
 */
export function generateTimestepWeights(options: TimestepBiasOptions, numTimesteps: number): Float32Array {
  if (!Number.isInteger(numTimesteps) || numTimesteps < 1) throw new RangeError(`numTimesteps must be a positive integer, got ${numTimesteps}`);
  const resolved = parseTimestepBiasOptions(options);
  const problems = timestepProblems(resolved, numTimesteps);
  if (problems.length > 0) throw configError(NAME, problems);

  const weights = new Float32Array(numTimesteps).fill(1);
  const biased = biasedTimesteps(resolved, numTimesteps);
  if (!biased) return weights;
  const multiplier = Math.fround(resolved.multiplier);
  weights.fill(multiplier, biased.begin, biased.end);
  // why: the weights take two values, so the sum is exact in float64; rounding it once gives the correctly rounded
  // float32 sum. torch's float32 sum equals it for the script's usual multipliers (see README for the exception).
  const count = Math.max(0, biased.end - biased.begin);
  const sum = Math.fround(numTimesteps - count + count * multiplier);
  for (let t = 0; t < numTimesteps; t++) weights[t] = weights[t]! / sum;
  return weights;
}
