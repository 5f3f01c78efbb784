// IEEE 754 binary16 <-> binary32 conversion, exact, with round-to-nearest-even on the way down.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

let decodeTable: Float32Array | undefined;

/** The float32 value of one binary16 bit pattern. */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  // why: a subnormal is mantissa · 2^-24; a normal is (1024 + mantissa) · 2^(exponent - 25). Both are exact in float64.
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/** The binary16 bit pattern nearest to a float32 value (ties to even; NaN becomes the quiet NaN 0x7e00 with its sign). */
export function numberToFloat16Bits(value: number): number {
  f32[0] = value;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const abs = bits & 0x7fffffff;
  if (abs > 0x7f800000) return sign | 0x7e00;
  // why: 65520 is halfway between 65504 (the largest finite, odd mantissa) and 65536 (infinity): the tie goes to
  // the even side, infinity, and so does everything above it.
  if (abs >= 0x477ff000) return sign | 0x7c00;
  const exponent = abs >>> 23;
  if (exponent < 113) {
    // Result is a binary16 subnormal (or zero): value / 2^-24 = significand · 2^(exponent - 126).
    if (exponent < 102) return sign;
    const significand = (abs & 0x7fffff) | 0x800000;
    const shift = 126 - exponent;
    const quotient = significand >>> shift;
    const remainder = significand & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    const roundUp = remainder > half || (remainder === half && (quotient & 1) === 1);
    return sign | (quotient + (roundUp ? 1 : 0));
  }
  // Normal: rebias the exponent (127 -> 15) and keep the top 10 mantissa bits; a carry may step into the exponent.
  const truncated = ((exponent - 112) << 10) | ((abs >>> 13) & 0x3ff);
  const remainder = abs & 0x1fff;
  const roundUp = remainder > 0x1000 || (remainder === 0x1000 && (truncated & 1) === 1);
  return sign | (truncated + (roundUp ? 1 : 0));
}

/** Decodes binary16 bit patterns into float32 values (exact). */
export function decodeFloat16(bits: Uint16Array): Float32Array {
  // why: a 65536-entry table makes decoding a multi-gigabyte checkpoint a single indexed load per element.
  decodeTable ??= buildDecodeTable();
  const table = decodeTable;
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]!]!;
  return out;
}

/** Encodes float32 values as binary16 bit patterns, rounding to nearest, ties to even. */
export function encodeFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = numberToFloat16Bits(values[i]!);
  return out;
}

function buildDecodeTable(): Float32Array {
  const table = new Float32Array(0x10000);
  for (let bits = 0; bits < 0x10000; bits++) table[bits] = float16BitsToNumber(bits);
  return table;
}
