import type { Rng, TimestepSampler } from '@sdxl-trainer/core';

/**
 * Draws timesteps with replacement in proportion to `weights` — the semantics of the script's
 * `torch.multinomial(weights, bsz, replacement=True)` — by inverting the cumulative distribution (float64 running
 * sum) at uniform draws from the run's seeded `timesteps` stream. Timesteps of weight 0 are never drawn.
 */
export class TimestepBiasSampler implements TimestepSampler {
  readonly name = 'timestep-bias';
  /** Running sums of the weights, in float64: `cdf[t] = w[0] + … + w[t]`. */
  readonly #cdf: Float64Array;

  constructor(weights: ArrayLike<number>) {
    if (weights.length === 0) throw new RangeError('TimestepBiasSampler needs at least one weight');
    this.#cdf = new Float64Array(weights.length);
    let sum = 0;
    for (let t = 0; t < weights.length; t++) {
      const w = weights[t]!;
      if (!(w >= 0 && Number.isFinite(w))) throw new RangeError(`timestep weight ${t} is ${w}; weights must be finite and ≥ 0`);
      sum += w;
      this.#cdf[t] = sum;
    }
    if (!(sum > 0)) throw new RangeError('the timestep weights sum to 0; at least one weight must be positive');
  }

  /** Number of timesteps T; draws are in [0, T). */
  get numTimesteps(): number {
    return this.#cdf.length;
  }

  /** `batchSize` timesteps drawn with replacement, one uniform number from `rng` each. */
  sample(batchSize: number, rng: Rng): Int32Array {
    const out = new Int32Array(batchSize);
    const total = this.#cdf[this.#cdf.length - 1]!;
    for (let i = 0; i < batchSize; i++) out[i] = this.#invert(rng.random() * total);
    return out;
  }

  /** The first timestep whose running sum exceeds `target` (binary search; `target` < total). */
  #invert(target: number): number {
    let low = 0;
    let high = this.#cdf.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#cdf[mid]! > target) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}
