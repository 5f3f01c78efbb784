// Float32 arithmetic helpers: every torch float32 op is one correctly rounded IEEE operation, which a float64
// operation followed by Math.fround reproduces exactly for + - * / and sqrt of float32 inputs.

const scratch = new Float32Array(1);
const scratchBits = new Int32Array(scratch.buffer);

/** Rounds to float32 (alias of Math.fround, to keep the emulated torch formulas readable). */
export const f32 = Math.fround;

/** The float32 neighbour of a finite float32 `x` towards +infinity (`up`) or -infinity. */
export function nextFloat32(x: number, up: boolean): number {
  if (x === 0) return up ? 2 ** -149 : -(2 ** -149);
  scratch[0] = x;
  scratchBits[0] = scratchBits[0]! + ((x > 0) === up ? 1 : -1);
  return scratch[0]!;
}

/**
 * Fused multiply-add of float32 values, rounded once to float32: what a C++ `a * b + c` on floats becomes when the
 * compiler contracts it into an FMA instruction (GCC does, for PyTorch's AVX2 kernels).
 */
export function fmaFloat32(a: number, b: number, c: number): number {
  const product = a * b; // exact: two 24-bit significands fit in 53 bits
  const sum = product + c;
  // why: TwoSum recovers the exact rounding error of the float64 addition, so the one case where rounding to float64
  // first would change the float32 result (the float64 sum landing exactly on a float32 midpoint) is decided right.
  const virtualC = sum - product;
  const error = product - (sum - virtualC) + (c - virtualC);
  const rounded = f32(sum);
  if (rounded === sum || error === 0) return rounded;
  const other = nextFloat32(rounded, sum > rounded);
  if (sum !== (rounded + other) / 2) return rounded;
  return error > 0 === other > rounded ? other : rounded;
}

/** Rounds half to even, as numpy's `round` and Python's `round` do. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}
