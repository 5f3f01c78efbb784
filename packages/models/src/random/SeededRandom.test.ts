import { describe, expect, it } from 'vitest';
import { SeededRandom } from './SeededRandom.js';

describe('SeededRandom', () => {
  it('gives the same sequence as @sdxl-trainer/core Rng.fromSeed for the same seed', () => {
    // Values printed by core's Rng (packages/core/src/random/Rng.ts): Rng.fromSeed(42): random() x2, normal() x3;
    // Rng.fromSeed(7).nextUint32(). models may not import core, so the numbers are copied here.
    const random = new SeededRandom(42);
    expect([random.random(), random.random()]).toEqual([0.5432027892964558, 0.5853306222905956]);
    expect([random.normal(), random.normal(), random.normal()]).toEqual([0.2813191068534646, 0.3038103031222192, 0.6234189582333853]);
    expect(new SeededRandom(7).nextUint32()).toBe(4015320567);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 8 }, () => random.normal());
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
  });

  it('draws uniforms in [0, 1) and standard normals with mean 0 and variance 1 (n = 200000, 5-sigma bounds)', () => {
    const random = new SeededRandom(123);
    const n = 200_000;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const u = random.random();
      expect(u >= 0 && u < 1).toBe(true);
      const z = random.normal();
      sum += z;
      squares += z * z;
    }
    const mean = sum / n;
    const variance = squares / n - mean * mean;
    // why: sd(mean) = 1/sqrt(n) and sd(sample variance) = sqrt(2/n) for a standard normal.
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it('rejects seeds that are not non-negative safe integers', () => {
    expect(() => new SeededRandom(-1)).toThrow(RangeError);
    expect(() => new SeededRandom(1.5)).toThrow(RangeError);
  });
});
