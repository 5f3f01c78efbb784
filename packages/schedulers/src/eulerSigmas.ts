import { f32, roundHalfEven } from './float32.js';
import type { TimestepSpacing } from './noiseScheduleConfig.js';

/** The full training-time sigma table: sqrt((1 - ᾱ_t) / ᾱ_t) in float32, ascending in t (EulerDiscreteScheduler). */
export function trainingSigmas(alphasCumprod: Float32Array): Float32Array {
  return alphasCumprod.map((ac) => Math.sqrt(f32(f32(1 - ac) / ac)));
}

/**
 * The inference timesteps of `EulerDiscreteScheduler.set_timesteps` (diffusers 0.27.2), descending, as float64 values
 * before the final float32 cast (Table 2 of arXiv 2305.08891).
 */
export function spacedTimesteps(spacing: TimestepSpacing, numTrainTimesteps: number, steps: number, stepsOffset: number): number[] {
  if (spacing === 'linspace') {
    // np.linspace(0, T - 1, n, dtype=float32): computed in float64 (i * step, last = stop exactly), then cast.
    const stop = numTrainTimesteps - 1;
    const step = stop / (steps - 1);
    const values = Array.from({ length: steps }, (_, i) => (steps > 1 && i === steps - 1 ? stop : steps > 1 ? f32(i * step) : 0));
    return values.reverse();
  }
  if (spacing === 'leading') {
    // step_ratio = T // n; (arange(n) * step_ratio).round()[::-1] as float32, then + steps_offset (float32 add).
    const ratio = Math.floor(numTrainTimesteps / steps);
    return Array.from({ length: steps }, (_, i) => f32((steps - 1 - i) * ratio + stepsOffset));
  }
  // trailing: np.arange(T, 0, -T / n).round() as float32, then - 1. numpy's arange has ceil(T / (T / n)) entries,
  // filled as start + i * delta with delta = (start + step) - start.
  const stepRatio = numTrainTimesteps / steps;
  const length = Math.ceil((0 - numTrainTimesteps) / -stepRatio);
  const delta = numTrainTimesteps + -stepRatio - numTrainTimesteps;
  return Array.from({ length }, (_, i) => f32(f32(roundHalfEven(numTrainTimesteps + i * delta)) - 1));
}

/** np.interp(x, arange(len(table)), table) in float64, as numpy computes it: slope · (x - x_j) + table[j]. */
export function interpolate(table: Float32Array, x: number): number {
  const last = table.length - 1;
  if (x <= 0) return table[0]!;
  if (x >= last) return table[last]!;
  const j = Math.floor(x);
  if (j === x) return table[j]!;
  const slope = table[j + 1]! - table[j]!;
  return slope * (x - j) + table[j]!;
}

/**
 * Karras et al. 2022 (arXiv 2206.00364, eq. 5) sigmas with rho = 7, between `sigmaMax` and `sigmaMin`
 * (EulerDiscreteScheduler._convert_to_karras), in float64.
 */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, steps: number): number[] {
  const rho = 7;
  const minInvRho = sigmaMin ** (1 / rho);
  const maxInvRho = sigmaMax ** (1 / rho);
  return Array.from({ length: steps }, (_, i) => {
    const ramp = steps === 1 ? 0 : i === steps - 1 ? 1 : i * (1 / (steps - 1));
    return (maxInvRho + ramp * (minInvRho - maxInvRho)) ** rho;
  });
}

/**
 * The (fractional) training timestep whose log-sigma is `sigma`'s, by linear interpolation in log space
 * (EulerDiscreteScheduler._sigma_to_t; numpy 1.x computes its differences in float32).
 */
export function sigmaToTimestep(sigma: number, logSigmas: Float32Array): number {
  const logSigma = f32(Math.log(Math.max(sigma, 1e-10)));
  let low = 0;
  for (let i = 0; i < logSigmas.length; i++) if (f32(logSigma - logSigmas[i]!) >= 0) low = i;
  low = Math.min(low, logSigmas.length - 2);
  const lowValue = logSigmas[low]!;
  const highValue = logSigmas[low + 1]!;
  const w = Math.min(Math.max(f32(f32(lowValue - logSigma) / f32(lowValue - highValue)), 0), 1);
  return f32(1 - w) * low + w * (low + 1);
}
