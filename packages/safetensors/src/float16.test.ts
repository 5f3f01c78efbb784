import { describe, expect, it } from 'vitest';
import { decodeFloat16, encodeFloat16, float16BitsToNumber, numberToFloat16Bits } from './float16.js';

// Independent reference, built differently from the implementation:
// - decode by assembling float32 bit patterns (normalising subnormals with a loop) instead of arithmetic;
// - encode by searching the sorted table of every finite binary16 value for the nearest one in float64,
//   ties going to the even bit pattern (IEEE 754 roundTiesToEven), overflow at 65520 = 65504 + ulp/2.
const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

function referenceDecode(h: number): number {
  const sign = (h & 0x8000) << 16;
  let exponent = (h >>> 10) & 0x1f;
  let mantissa = h & 0x3ff;
  if (exponent === 0x1f) scratchBits[0] = (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
  else if (exponent === 0 && mantissa === 0) scratchBits[0] = sign >>> 0;
  else {
    if (exponent === 0) {
      exponent = 1;
      while ((mantissa & 0x400) === 0) {
        mantissa <<= 1;
        exponent -= 1;
      }
      mantissa &= 0x3ff;
    }
    scratchBits[0] = (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
  }
  return scratch[0]!;
}

const positives = Array.from({ length: 0x7c00 }, (_, h) => referenceDecode(h)); // 0 .. 65504, ascending

function referenceEncode(value: number): number {
  if (Number.isNaN(value)) return -1;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude >= 65520) return sign | 0x7c00;
  let lo = 0;
  let hi = positives.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (positives[mid]! <= magnitude) lo = mid;
    else hi = mid;
  }
  const below = magnitude - positives[lo]!;
  const above = positives[hi]! - magnitude;
  const pick = below < above ? lo : above < below ? hi : lo % 2 === 0 ? lo : hi;
  return sign | pick;
}

function nextFloat32(value: number, direction: 1 | -1): number {
  scratch[0] = value;
  scratchBits[0] = scratchBits[0]! + direction;
  return scratch[0]!;
}

describe('float16 decode', () => {
  it('matches the bit-assembly reference for all 65536 patterns', () => {
    const all = new Uint16Array(0x10000).map((_, i) => i);
    const decoded = decodeFloat16(all);
    for (let h = 0; h < 0x10000; h++) {
      const expected = referenceDecode(h);
      if (Number.isNaN(expected)) expect(Number.isNaN(decoded[h])).toBe(true);
      else expect(Object.is(decoded[h], expected), `0x${h.toString(16)}`).toBe(true);
      expect(Object.is(float16BitsToNumber(h), decoded[h]) || Number.isNaN(decoded[h]!)).toBe(true);
    }
  });

  it('gives the IEEE 754 values of landmark patterns', () => {
    expect(float16BitsToNumber(0x3c00)).toBe(1);
    expect(float16BitsToNumber(0xc000)).toBe(-2);
    expect(float16BitsToNumber(0x7bff)).toBe(65504);
    expect(float16BitsToNumber(0x0400)).toBe(2 ** -14);
    expect(float16BitsToNumber(0x0001)).toBe(2 ** -24);
    expect(float16BitsToNumber(0x03ff)).toBe(1023 * 2 ** -24);
    expect(Object.is(float16BitsToNumber(0x8000), -0)).toBe(true);
    expect(float16BitsToNumber(0x7c00)).toBe(Infinity);
    expect(float16BitsToNumber(0xfc00)).toBe(-Infinity);
    expect(float16BitsToNumber(0x7e00)).toBeNaN();
    expect(float16BitsToNumber(0x7c01)).toBeNaN();
  });
});

describe('float16 encode (round to nearest, ties to even)', () => {
  it('round-trips every non-NaN pattern exactly', () => {
    for (let h = 0; h < 0x10000; h++) {
      const value = referenceDecode(h);
      if (Number.isNaN(value)) expect(float16BitsToNumber(numberToFloat16Bits(value))).toBeNaN();
      else expect(numberToFloat16Bits(value), `0x${h.toString(16)}`).toBe(h);
    }
  });

  it('breaks every tie between neighbours to the even pattern, and rounds one float32 ulp away to nearest', () => {
    const inputs: number[] = [];
    for (let h = 0; h < 0x7bff; h++) {
      const midpoint = Math.fround((positives[h]! + positives[h + 1]!) / 2);
      expect(midpoint).toBe((positives[h]! + positives[h + 1]!) / 2); // exact in float32
      inputs.push(midpoint, nextFloat32(midpoint, 1), nextFloat32(midpoint, -1));
    }
    inputs.push(65520, nextFloat32(65520, -1), nextFloat32(65520, 1));
    const values = Float32Array.from(inputs.flatMap((v) => [v, -v]));
    const encoded = encodeFloat16(values);
    let mismatches = 0;
    for (let i = 0; i < values.length; i++) if (encoded[i] !== referenceEncode(values[i]!)) mismatches++;
    expect(mismatches).toBe(0);
    // Spot facts that follow from the rule, independent of the reference table.
    expect(numberToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie, 1.0 is even
    expect(numberToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie, rounds up to even
    expect(numberToFloat16Bits(65519)).toBe(0x7bff);
    expect(numberToFloat16Bits(65520)).toBe(0x7c00);
  });

  it('handles zeros, subnormals, underflow, overflow, infinities and NaN', () => {
    expect(numberToFloat16Bits(0)).toBe(0x0000);
    expect(numberToFloat16Bits(-0)).toBe(0x8000);
    expect(numberToFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(numberToFloat16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal -> 0
    expect(numberToFloat16Bits(nextFloat32(2 ** -25, 1))).toBe(0x0001);
    expect(numberToFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // tie between 1 and 2 subnormal units -> 2
    expect(numberToFloat16Bits(-(2 ** -26))).toBe(0x8000);
    expect(numberToFloat16Bits(1e-45)).toBe(0x0000); // float32 subnormal
    expect(numberToFloat16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // tie between largest subnormal (odd) and smallest normal
    expect(numberToFloat16Bits(1e10)).toBe(0x7c00);
    expect(numberToFloat16Bits(-1e10)).toBe(0xfc00);
    expect(numberToFloat16Bits(Infinity)).toBe(0x7c00);
    expect(numberToFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(numberToFloat16Bits(NaN) & 0x7fff).toBe(0x7e00);
    expect(float16BitsToNumber(numberToFloat16Bits(-NaN))).toBeNaN();
  });

  it('agrees with the reference on random float32 bit patterns across the whole range', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed;
    };
    const bits = new Uint32Array(200_000);
    for (let i = 0; i < bits.length; i++) {
      // Half of the draws concentrate on the float16 exponent range (2^-26 .. 2^17), the rest cover everything.
      const r = random();
      bits[i] = i % 2 === 0 ? (r & 0x807fffff) | ((101 + (random() % 43)) << 23) : r;
    }
    const values = new Float32Array(bits.buffer);
    const encoded = encodeFloat16(values);
    let mismatches = 0;
    for (let i = 0; i < values.length; i++) {
      const expected = referenceEncode(values[i]!);
      if (expected === -1) {
        if (!Number.isNaN(float16BitsToNumber(encoded[i]!))) mismatches++;
      } else if (encoded[i] !== expected) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});
