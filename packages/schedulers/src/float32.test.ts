import { describe, expect, it } from 'vitest';
import { fmaFloat32, nextFloat32, roundHalfEven } from './float32.js';
import { torchLinspaceFloat32 } from './torchLinspace.js';

describe('float32 helpers', () => {
  it('fmaFloat32 rounds the exact a·b + c once, even where rounding to float64 first would tie', () => {
    // (1 + 2^-10)(1 - 2^-10 + 2^-20) = 1 + 2^-30, so a·b = 2^-24 + 2^-54 and a·b + 1 = 1 + 2^-24 + 2^-54 exactly:
    // just above the float32 midpoint 1 + 2^-24, so the correct float32 result is 1 + 2^-23. Rounding to float64
    // first gives 1 + 2^-24 (the 2^-54 is lost), a float32 tie that goes to 1.
    const a = 1 + 2 ** -10;
    const b = (1 - 2 ** -10 + 2 ** -20) * 2 ** -24;
    expect(Math.fround(a)).toBe(a);
    expect(Math.fround(b)).toBe(b);
    expect(Math.fround(a * b + 1)).toBe(1);
    expect(fmaFloat32(a, b, 1)).toBe(1 + 2 ** -23);
    expect(fmaFloat32(-a, b, -1)).toBe(-(1 + 2 ** -23));
    // 1 + 2^-22 - 2^-24 - 2^-54 lies just below the midpoint 1 + 2^-23 + 2^-24, so it rounds down to 1 + 2^-23;
    // via float64 it would become that midpoint and tie to the even 1 + 2^-22.
    expect(Math.fround(a * -b + (1 + 2 ** -22))).toBe(1 + 2 ** -22);
    expect(fmaFloat32(a, -b, 1 + 2 ** -22)).toBe(1 + 2 ** -23);
    expect(fmaFloat32(3, 5, 7)).toBe(22);
    expect(fmaFloat32(0.1, 3, 0.2)).toBe(Math.fround(Math.fround(0.1) * 3 + Math.fround(0.2)));
  });

  it('nextFloat32 steps one float32 ulp and roundHalfEven breaks ties to even', () => {
    expect(nextFloat32(1, true)).toBe(1 + 2 ** -23);
    expect(nextFloat32(1, false)).toBe(1 - 2 ** -24);
    expect(nextFloat32(-1, true)).toBe(-(1 - 2 ** -24));
    expect(nextFloat32(0, true)).toBe(2 ** -149);
    expect([0.5, 1.5, 2.5, -1.5, -2.5, 812.5, 937.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, -2, -2, 812, 938, 2, 3]);
  });

  it('torchLinspaceFloat32 hits both ends exactly and stays within a few float32 ulps (of the ends) of the exact line', () => {
    for (const [start, end, n] of [
      [0.0001, 0.02, 1000],
      [-6, 6, 1000],
      [0.00085 ** 0.5, 0.012 ** 0.5, 37],
      [1, 2, 2],
    ] as const) {
      const values = torchLinspaceFloat32(start, end, n);
      expect(values.length).toBe(n);
      expect(values[0]).toBe(Math.fround(start));
      expect(values[n - 1]).toBe(Math.fround(end));
      for (let i = 0; i < n; i++) {
        const exact = Math.fround(start) + ((Math.fround(end) - Math.fround(start)) * i) / (n - 1);
        // why: the float32 step is itself rounded, so the error grows with i, up to about half the count of step ulps.
        expect(Math.abs(values[i]! - exact)).toBeLessThanOrEqual(4 * 2 ** -24 * Math.max(Math.abs(start), Math.abs(end)));
      }
    }
    expect([...torchLinspaceFloat32(3, 7, 1)]).toEqual([3]);
  });
});
