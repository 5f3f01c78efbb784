import { describe, expect, it } from 'vitest';
import { bfloat16BitsToNumber, decodeBfloat16, encodeBfloat16, numberToBfloat16Bits } from './bfloat16.js';

// Independent reference: bfloat16 values are float32 values whose low 16 bits are zero, so decode = Math-free
// DataView read of the pattern in the high half; encode = pick the nearer of the two neighbouring bfloat16 values in
// float64 arithmetic (the one above the largest finite value counts as 2^128 = infinity), ties to the even pattern.
const view = new DataView(new ArrayBuffer(4));

function referenceDecode(b: number): number {
  view.setUint16(0, b, false);
  view.setUint16(2, 0, false);
  return view.getFloat32(0, false);
}

function referenceEncode(value: number): number {
  view.setFloat32(0, value, false);
  const high = view.getUint16(0, false);
  if (Number.isNaN(value)) return -1;
  if ((high & 0x7fff) === 0x7f80) return high; // ±infinity
  const down = high;
  const up = high + 1;
  const magnitude = Math.abs(value);
  const downValue = Math.abs(referenceDecode(down));
  const upValue = (up & 0x7fff) === 0x7f80 ? 2 ** 128 : Math.abs(referenceDecode(up));
  const below = magnitude - downValue;
  const above = upValue - magnitude;
  return below < above ? down : above < below ? up : down % 2 === 0 ? down : up;
}

describe('bfloat16', () => {
  it('decodes all 65536 patterns like the reference', () => {
    const all = new Uint16Array(0x10000).map((_, i) => i);
    const decoded = decodeBfloat16(all);
    for (let b = 0; b < 0x10000; b++) {
      const expected = referenceDecode(b);
      if (Number.isNaN(expected)) expect(Number.isNaN(decoded[b])).toBe(true);
      else expect(Object.is(decoded[b], expected), `0x${b.toString(16)}`).toBe(true);
      if (!Number.isNaN(expected)) expect(Object.is(bfloat16BitsToNumber(b), expected)).toBe(true);
    }
    expect(bfloat16BitsToNumber(0x3f80)).toBe(1);
    expect(bfloat16BitsToNumber(0x7f7f)).toBe(2 ** 127 * (2 - 2 ** -7));
    expect(bfloat16BitsToNumber(0x0001)).toBe(2 ** -133);
  });

  it('round-trips every non-NaN pattern and rounds ties to even', () => {
    for (let b = 0; b < 0x10000; b++) {
      const value = referenceDecode(b);
      if (Number.isNaN(value)) expect(bfloat16BitsToNumber(numberToBfloat16Bits(value))).toBeNaN();
      else expect(numberToBfloat16Bits(value)).toBe(b);
    }
    expect(numberToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie, 1.0 is even
    expect(numberToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie, up to even
    expect(numberToBfloat16Bits(2 ** 127 * (2 - 2 ** -8))).toBe(0x7f80); // tie above the largest finite -> infinity
    expect(numberToBfloat16Bits(-0)).toBe(0x8000);
    expect(numberToBfloat16Bits(-Infinity)).toBe(0xff80);
    expect(numberToBfloat16Bits(NaN) & 0x7fff).toBe(0x7fc0);
  });

  it('agrees with the reference on every tie, its float32 neighbours and random patterns', () => {
    const bits: number[] = [];
    for (let b = 0; b < 0x10000; b++) {
      if ((b & 0x7f80) === 0x7f80) continue;
      const tie = ((b << 16) | 0x8000) >>> 0;
      bits.push(tie, tie + 1, tie - 1);
    }
    let seed = 99;
    for (let i = 0; i < 100_000; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      bits.push(seed);
    }
    const values = new Float32Array(Uint32Array.from(bits).buffer);
    const encoded = encodeBfloat16(values);
    let mismatches = 0;
    for (let i = 0; i < values.length; i++) {
      const expected = referenceEncode(values[i]!);
      if (expected === -1) {
        if (!Number.isNaN(bfloat16BitsToNumber(encoded[i]!))) mismatches++;
      } else if (encoded[i] !== expected) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});
