import { describe, expect, it } from 'vitest';
import { createDynamicMap, dynamicMapThresholds } from './dynamicMap.js';

/**
 * bitsandbytes `create_dynamic_map(signed, max_exponent_bits=7, total_bits=8)` in closed form, float64: decade
 * d = 0…6 holds the midpoints of k = 2^d (signed) or 2^(d+1) (unsigned) equal cells of [0.1, 1], i.e.
 * 10^(d−6) · (0.1 + 0.9·(j + ½)/k) for j < k, mirrored when signed; then 0 and 1.
 */
function closedForm(signed: boolean): number[] {
  const values = [0, 1];
  for (let d = 0; d < 7; d++) {
    const k = signed ? 2 ** d : 2 ** (d + 1);
    for (let j = 0; j < k; j++) {
      const value = 10 ** (d - 6) * (0.1 + (0.9 * (j + 0.5)) / k);
      values.push(value);
      if (signed) values.push(-value);
    }
  }
  return values.sort((a, b) => a - b);
}

describe('createDynamicMap (bitsandbytes create_dynamic_map)', () => {
  for (const signed of [true, false]) {
    it(`${signed ? 'signed' : 'unsigned'}: 256 values equal to the closed form within float32 rounding (3e-7 relative)`, () => {
      const map = createDynamicMap(signed);
      const expected = closedForm(signed);
      expect(map.values).toHaveLength(256);
      expect(expected).toHaveLength(256);
      map.values.forEach((value, i) => expect(Math.abs(value - expected[i]!)).toBeLessThanOrEqual(3e-7 * Math.abs(expected[i]!)));
      for (let i = 1; i < 256; i++) expect(map.values[i]!).toBeGreaterThan(map.values[i - 1]!);
      expect(map.values[255]).toBe(1);
    });
  }

  it('signed: 127 negative codes, zero at code 127, 128 positive codes up to exactly 1; ends at ±0.99296875', () => {
    const map = createDynamicMap(true);
    expect(map.zeroCode).toBe(127);
    expect(map.values[127]).toBe(0);
    // why: the top decade has 64 cells of width 0.9/64, the last midpoint is 1 − 0.45/64 = 0.99296875; torch's float32
    // linspace over [0.1, 1] (0.1 is not a float32) lands within an ulp (2^-24 here) of it.
    expect(Math.abs(map.values[254]! - 0.99296875)).toBeLessThanOrEqual(2 ** -23);
    expect(map.values[0]).toBe(-map.values[254]!);
    // the smallest magnitude: 10^-6 · (0.1 + 1)/2
    expect(map.values[128]).toBeCloseTo(5.5e-7, 12);
    expect(map.values[126]).toBeCloseTo(-5.5e-7, 12);
  });

  it('unsigned: zero at code 0, 3.25e-7 and 7.75e-7 next, 0.996484375 below 1', () => {
    const map = createDynamicMap(false);
    expect(map.zeroCode).toBe(0);
    expect(map.values[1]).toBeCloseTo(3.25e-7, 13);
    expect(map.values[2]).toBeCloseTo(7.75e-7, 13);
    expect(Math.abs(map.values[254]! - 0.996484375)).toBeLessThanOrEqual(2 ** -23);
  });

  it('the largest gap is a top-decade cell: 0.9/64 signed, 0.9/128 unsigned', () => {
    const gap = (values: Float32Array) => Math.max(...Array.from(values.subarray(1), (v, i) => v - values[i]!));
    expect(gap(createDynamicMap(true).values)).toBeCloseTo(0.9 / 64, 6);
    expect(gap(createDynamicMap(false).values)).toBeCloseTo(0.9 / 128, 6);
  });
});

describe('dynamicMapThresholds', () => {
  it('lie strictly between neighbouring codes, at their float32 midpoint', () => {
    const map = createDynamicMap(false);
    const t = dynamicMapThresholds(map);
    expect(t).toHaveLength(255);
    t.forEach((value, c) => {
      expect(value).toBeGreaterThan(map.values[c]!);
      expect(value).toBeLessThan(map.values[c + 1]!);
      expect(Math.abs(value - (map.values[c]! + map.values[c + 1]!) / 2)).toBeLessThanOrEqual(6e-8 * value);
    });
  });

  it('signed: the threshold below zero is 0 itself, so no negative value rounds to zero (bitsandbytes keeps the sign of state1)', () => {
    const map = createDynamicMap(true);
    const t = dynamicMapThresholds(map);
    expect(t[126]).toBe(0);
    expect(t[125]).toBeLessThan(map.values[126]!);
    expect(t[127]).toBeCloseTo(2.75e-7, 12);
  });
});
