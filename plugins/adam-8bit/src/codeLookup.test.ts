import { describe, expect, it } from 'vitest';
import { createCodeLookup, lookupCodes } from './codeLookup.js';
import { createDynamicMap, dynamicMapThresholds } from './dynamicMap.js';
import { seededRandom } from './testing/reference.js';

/** The definition: how many thresholds are ≤ x, by a linear scan. */
function countAtMost(thresholds: Float32Array, x: number): number {
  return thresholds.reduce((count, t) => count + (t <= x ? 1 : 0), 0);
}

/** The neighbouring float32 values of x (one ulp down and up). */
function neighbours(x: number): number[] {
  const f = new Float32Array([x, x]);
  const i = new Int32Array(f.buffer);
  if (x === 0) return [-(2 ** -149), 2 ** -149];
  i[0]! += x > 0 ? -1 : 1;
  i[1]! += x > 0 ? 1 : -1;
  return [f[0]!, f[1]!];
}

describe('createCodeLookup / lookupCodes', () => {
  for (const signed of [true, false]) {
    it(`${signed ? 'signed' : 'unsigned'}: the code of every threshold, its float32 neighbours, every map value and 200 000 random values equals the count of thresholds ≤ x`, () => {
      const map = createDynamicMap(signed);
      const thresholds = dynamicMapThresholds(map);
      const lookup = createCodeLookup(map);
      const random = seededRandom(signed ? 1 : 2);
      const xs = [
        ...Array.from(thresholds).flatMap((t) => [t, ...neighbours(t)]),
        ...map.values,
        0,
        -0,
        1,
        -1,
        1e-30,
        -1e-30,
        ...Array.from({ length: 200_000 }, () => (signed && random() < 0.5 ? -1 : 1) * random() ** 6),
      ];
      const values = Float32Array.from(xs);
      const codes = new Uint8Array(values.length);
      lookupCodes(lookup, values, new Int32Array(values.buffer), values.length, codes, 0);
      const wrong = Array.from(values).filter((x, j) => codes[j] !== countAtMost(thresholds, x));
      expect(wrong).toEqual([]);
    });
  }
});
