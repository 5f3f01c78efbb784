import { describe, expect, it } from 'vitest';
import { Rng } from './Rng.js';

describe('Rng', () => {
  it('repeats the same sequence for the same seed and stream, and differs otherwise', () => {
    const a = Rng.fromSeed(42, 'noise');
    const b = Rng.fromSeed(42, 'noise');
    const seqA = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(seqA);
    const other = Rng.fromSeed(42, 'timesteps');
    expect(Array.from({ length: 20 }, () => other.nextUint32())).not.toEqual(seqA);
    const otherSeed = Rng.fromSeed(43, 'noise');
    expect(Array.from({ length: 20 }, () => otherSeed.nextUint32())).not.toEqual(seqA);
  });

  it('continues exactly from a saved state, including a cached normal', () => {
    const rng = Rng.fromSeed(7);
    rng.normal(); // leaves the second Box–Muller value cached
    const state = JSON.parse(JSON.stringify(rng.getState()));
    const expected = [rng.normal(), rng.normal(), rng.random(), rng.randint(0, 10)];
    const restored = Rng.fromState(state);
    expect([restored.normal(), restored.normal(), restored.random(), restored.randint(0, 10)]).toEqual(expected);
  });

  it('gives the same normals whether drawn in one batch or in chunks', () => {
    const whole = Rng.fromSeed(3).fillNormal(new Float32Array(9));
    const chunked = Rng.fromSeed(3);
    const parts = [chunked.fillNormal(new Float32Array(4)), chunked.fillNormal(new Float32Array(5))];
    expect(Array.from(parts[0]!).concat(Array.from(parts[1]!))).toEqual(Array.from(whole));
  });

  it('draws uniform integers in range with no visible bias (chi-square, 9 degrees of freedom)', () => {
    const rng = Rng.fromSeed(1);
    const counts = new Array(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const v = rng.randint(0, 10);
      expect(v >= 0 && v < 10).toBe(true);
      counts[v]++;
    }
    const expected = n / 10;
    const chi2 = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.88); // p = 0.001 critical value for 9 dof
  });

  it('draws standard normals (mean 0, variance 1, about 68% within one sigma)', () => {
    const values = Rng.fromSeed(5).fillNormal(new Float64Array(200_000));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    const within = values.filter((v) => Math.abs(v) < 1).length / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.01); // standard error 0.0022
    expect(Math.abs(variance - 1)).toBeLessThan(0.015);
    expect(Math.abs(within - 0.6827)).toBeLessThan(0.005);
  });

  it('makes permutations that contain every index once', () => {
    const perm = Rng.fromSeed(9).permutation(1000);
    expect([...perm].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...perm]).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('rejects bad arguments', () => {
    expect(() => Rng.fromSeed(-1)).toThrow(/non-negative/);
    expect(() => Rng.fromSeed(1.5)).toThrow(/non-negative safe integer/);
    expect(() => Rng.fromSeed(1).randint(5, 5)).toThrow(/low < high/);
  });
});

