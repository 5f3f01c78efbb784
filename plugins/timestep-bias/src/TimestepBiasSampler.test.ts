import { describe, expect, it } from 'vitest';
import { Rng } from '@sdxl-trainer/core';
import { generateTimestepWeights } from './generateTimestepWeights.js';
import { TimestepBiasSampler } from './TimestepBiasSampler.js';

/** Upper critical value of χ² with `dof` degrees of freedom at p = 0.001 (Wilson–Hilferty, z = 3.0902). */
function chiSquareCritical(dof: number): number {
  const a = 2 / (9 * dof);
  return dof * (1 - a + 3.0902 * Math.sqrt(a)) ** 3;
}

function chiSquare(counts: number[], weights: ArrayLike<number>, draws: number): number {
  let total = 0;
  for (let t = 0; t < counts.length; t++) total += weights[t]!;
  return counts.reduce((sum, observed, t) => {
    const expected = (draws * weights[t]!) / total;
    return sum + (observed - expected) ** 2 / expected;
  }, 0);
}

function histogram(sampler: TimestepBiasSampler, draws: number, seed: number): number[] {
  const counts = new Array<number>(sampler.numTimesteps).fill(0);
  const rng = Rng.fromSeed(seed, 'timesteps');
  for (let done = 0; done < draws; done += 1000) for (const t of sampler.sample(1000, rng)) counts[t]!++;
  return counts;
}

/** torch.multinomial(replacement=True) semantics by a linear scan of the float64 running sum: the first t with cdf > u · total. */
function naiveDraws(weights: ArrayLike<number>, n: number, rng: Rng): number[] {
  const cdf: number[] = [];
  let sum = 0;
  for (let t = 0; t < weights.length; t++) cdf.push((sum += weights[t]!));
  return Array.from({ length: n }, () => {
    const target = rng.random() * sum;
    return cdf.findIndex((c) => c > target);
  });
}

describe('TimestepBiasSampler', () => {
  const earlier = generateTimestepWeights({ strategy: 'earlier', multiplier: 3, portion: 0.25 }, 1000);
  const range = generateTimestepWeights({ strategy: 'range', multiplier: 5, begin: 200, end: 500 }, 1000);

  it.each([
    ['earlier ×3 of 25%', earlier],
    ['range [200, 500) ×5', range],
  ])('draws %s with the frequencies of its weights (χ², 999 dof, p = 0.001)', (_, weights) => {
    const draws = 300_000;
    const counts = histogram(new TimestepBiasSampler(weights), draws, 7);
    const critical = chiSquareCritical(999);
    expect(chiSquare(counts, weights, draws)).toBeLessThan(critical);
    // the test has power: the same counts are far from uniform
    expect(chiSquare(counts, new Float32Array(1000).fill(1), draws)).toBeGreaterThan(10 * critical);
  });

  it('puts the biased share of draws in the biased timesteps (earlier ×3 of 25% → 3·250 / (3·250 + 750) = 50%)', () => {
    const draws = 200_000;
    const counts = histogram(new TimestepBiasSampler(earlier), draws, 3);
    const share = counts.slice(0, 250).reduce((a, b) => a + b, 0) / draws;
    expect(Math.abs(share - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / draws)); // 4 standard errors
  });

  it('is the inverse CDF of its weights: the same draws as a linear scan given the same random stream', () => {
    for (const weights of [earlier, range, generateTimestepWeights({ strategy: 'later', multiplier: 0.2, portion: 0.9 }, 1000)]) {
      const fast = new TimestepBiasSampler(weights).sample(5000, Rng.fromSeed(11, 'timesteps'));
      expect(Array.from(fast)).toEqual(naiveDraws(weights, 5000, Rng.fromSeed(11, 'timesteps')));
    }
  });

  it('never draws a timestep of weight 0, and reaches the first and last timesteps', () => {
    const weights = new Float32Array(10);
    weights[0] = 1;
    weights[9] = 1;
    const drawn = new Set(new TimestepBiasSampler(weights).sample(2000, Rng.fromSeed(1)));
    expect(drawn).toEqual(new Set([0, 9]));
  });

  it('is deterministic per seed and differs between seeds', () => {
    const sampler = new TimestepBiasSampler(range);
    const a = sampler.sample(64, Rng.fromSeed(5, 'timesteps'));
    expect(sampler.sample(64, Rng.fromSeed(5, 'timesteps'))).toEqual(a);
    expect(sampler.sample(64, Rng.fromSeed(6, 'timesteps'))).not.toEqual(a);
  });

  it('rejects weights it cannot sample from', () => {
    expect(() => new TimestepBiasSampler([])).toThrow(/at least one weight/);
    expect(() => new TimestepBiasSampler([1, -1])).toThrow(/timestep weight 1 is -1/);
    expect(() => new TimestepBiasSampler([1, Number.NaN])).toThrow(/timestep weight 1 is NaN/);
    expect(() => new TimestepBiasSampler([0, 0])).toThrow(/sum to 0/);
  });
});
