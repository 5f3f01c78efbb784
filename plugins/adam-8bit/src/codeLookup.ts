import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { dynamicMapThresholds, type DynamicMap } from './dynamicMap.js';

/** Bits of a float32 that index the table: sign, exponent and the top 8 mantissa bits. */
const INDEX_BITS = 17;
const SHIFT = 32 - INDEX_BITS;

/**
 * A constant-time replacement for the binary search over a dynamic map's thresholds, for the host pass. Floats are
 * cut into cells by their top 17 bits (relative width 2^-8 ≈ 0.4%); `base[cell]` is the code of the cell's smallest
 * float. No cell holds two thresholds (their relative spacing is at least 0.7%; checked when the table is built), so
 * the code of any x in the cell is `base + (thresholds[base] ≤ x)`: the same count of thresholds ≤ x as
 * SearchSorted('right') on the tfjs-ops path.
 */
export interface CodeLookup {
  readonly map: DynamicMap;
  /** The 255 thresholds and +∞ (so `base` = 255 needs no test). */
  readonly thresholds: Float32Array;
  readonly base: Uint8Array;
}

/** Build the lookup of a map. */
export function createCodeLookup(map: DynamicMap): CodeLookup {
  const thresholds = new Float32Array(256);
  thresholds.set(dynamicMapThresholds(map));
  thresholds[255] = Infinity;
  const base = new Uint8Array(2 ** INDEX_BITS);
  const bits = new Int32Array(1);
  const float = new Float32Array(bits.buffer);
  const countAtMost = (x: number) => {
    let lo = 0;
    let hi = 255;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (thresholds[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (let cell = 0; cell < base.length; cell++) {
    const negative = cell >>> (INDEX_BITS - 1) === 1;
    // the cell's floats: bit patterns cell·2^SHIFT … cell·2^SHIFT + 2^SHIFT − 1; for negatives the last is the smallest
    bits[0] = (cell << SHIFT) | (negative ? (1 << SHIFT) - 1 : 0);
    const lowest = float[0]!;
    bits[0] = (cell << SHIFT) | (negative ? 0 : (1 << SHIFT) - 1);
    const highest = float[0]!;
    if (Number.isNaN(lowest) || Number.isNaN(highest)) continue;
    const low = countAtMost(lowest);
    if (countAtMost(highest) - low > 1) {
      throw new SdxlError(ErrorCode.OPTIMIZER_INVALID, `dynamic map thresholds closer than 2^-8 relative near ${lowest}; the host code lookup needs more index bits`);
    }
    base[cell] = low;
  }
  return { map, thresholds, base };
}

/** Codes of `values[0…count)` into `codes[start…]`; `bits` is an Int32Array view of the same buffer as `values`. */
export function lookupCodes(lookup: CodeLookup, values: Float32Array, bits: Int32Array, count: number, codes: Uint8Array, start: number): void {
  const { base, thresholds } = lookup;
  for (let j = 0; j < count; j++) {
    const b = base[bits[j]! >>> SHIFT]!;
    codes[start + j] = thresholds[b]! <= values[j]! ? b + 1 : b;
  }
}
