/** The 256 values of a dynamic quantisation map, ascending, as float32. */
export interface DynamicMap {
  readonly signed: boolean;
  readonly values: Float32Array;
  /** The code whose value is exactly 0 (127 for the signed map, 0 for the unsigned one). */
  readonly zeroCode: number;
}

// why: bitsandbytes computes `10 ** (-(max_exponent_bits - 1) + i)` with Python floats; these literals are
// the same doubles (correctly rounded powers of ten), which Math.pow does not promise.
const DECADES = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1];

/**
 * bitsandbytes' dynamic 8-bit map (`bitsandbytes/functional.py` `create_dynamic_map(signed, max_exponent_bits=7,
 * total_bits=8)`, Dettmers 2015, arXiv 1511.04561): for each decade 10^-6 … 10^0 the midpoints of an evenly
 * spaced grid over [0.1, 1] (2^i cells for decade i when signed, 2^(i+1) when unsigned), scaled by the decade,
 * with their negatives when signed, plus 0 and 1. AdamW8bit uses the signed map for exp_avg and the unsigned
 * one for exp_avg_sq (`optim/optimizer.py` `fill_qmap`).
 */
export function createDynamicMap(signed: boolean): DynamicMap {
  const data: number[] = [];
  DECADES.forEach((scale, i) => {
    const cells = signed ? 2 ** i : 2 ** (i + 1);
    const boundaries = linspaceFloat32(0.1, 1, cells + 1);
    for (let j = 0; j < cells; j++) {
      // why: torch adds the float32 boundaries in float32, halves, then `.tolist()` and the decade factor are float64.
      const mean = Math.fround(Math.fround(boundaries[j]! + boundaries[j + 1]!) / 2);
      data.push(scale * mean);
      if (signed) data.push(-scale * mean);
    }
  });
  data.push(0, 1);
  const values = Float32Array.from(data).sort();
  return { signed, values, zeroCode: values.indexOf(0) };
}

/**
 * torch.linspace for float32 on the CPU (ATen `linspace_kernel`, scalar path): `start + step·i` for the first half
 * and `end − step·(steps−1−i)` for the second, in float32 arithmetic. The vectorised path can differ by an ulp.
 */
function linspaceFloat32(start: number, end: number, steps: number): number[] {
  const s = Math.fround(start);
  const e = Math.fround(end);
  const step = Math.fround(Math.fround(e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  return Array.from({ length: steps }, (_, i) => (i < halfway ? Math.fround(s + Math.fround(step * i)) : Math.fround(e - Math.fround(step * (steps - 1 - i)))));
}

/**
 * The 255 decision thresholds between neighbouring codes: `(map[c] + map[c+1]) · 0.5` in float32, as bitsandbytes'
 * `quantize_2D` computes its midpoints. A value equal to a threshold takes the upper code. For the signed map the
 * threshold between the smallest negative code and zero is 0 itself, so a negative value never becomes zero: the
 * 8-bit blockwise kernel (`csrc/kernels.cu` `kOptimizerStatic8bit2StateBlockwise`) moves such a code one step down
 * ("make sure state1 term has still the same sign after quantization").
 */
export function dynamicMapThresholds(map: DynamicMap): Float32Array {
  const { values } = map;
  const thresholds = new Float32Array(values.length - 1);
  for (let c = 0; c < thresholds.length; c++) thresholds[c] = Math.fround(Math.fround(values[c]! + values[c + 1]!) * 0.5);
  if (map.signed) thresholds[map.zeroCode - 1] = 0;
  return thresholds;
}
