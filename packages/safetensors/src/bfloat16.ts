// bfloat16 (the top half of a float32) <-> float32 conversion, with round-to-nearest-even on the way down.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 value of one bfloat16 bit pattern. */
export function bfloat16BitsToNumber(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0]!;
}

/** The bfloat16 bit pattern nearest to a float32 value (ties to even; NaN becomes the quiet NaN 0x7fc0 with its sign). */
export function numberToBfloat16Bits(value: number): number {
  f32[0] = value;
  const bits = u32[0]!;
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) & 0x8000) | 0x7fc0;
  // why: adding 0x7fff plus the lowest kept bit rounds the dropped half to nearest, ties to even; a carry
  // into the exponent (up to infinity) is the correct result.
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Decodes bfloat16 bit patterns into float32 values (exact). */
export function decodeBfloat16(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) outBits[i] = bits[i]! << 16;
  return out;
}

/** Encodes float32 values as bfloat16 bit patterns, rounding to nearest, ties to even. */
export function encodeBfloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = numberToBfloat16Bits(values[i]!);
  return out;
}
