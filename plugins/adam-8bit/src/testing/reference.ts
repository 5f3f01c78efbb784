// Test support only (excluded from the build): seeded data and a naive scalar reference of bitsandbytes' 8-bit AdamW.
import type { OptimizerSettings } from '@sdxl-trainer/core';
import type { DynamicMap } from '../dynamicMap.js';

/** A seeded uniform generator in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` normal values whose scale changes every `blockSize` values by up to 10^±`decades` (what moments look like). */
export function spreadValues(n: number, blockSize: number, seed: number, decades = 3): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(n);
  let scale = 1;
  for (let i = 0; i < n; i++) {
    if (i % blockSize === 0) scale = 10 ** ((random() * 2 - 1) * decades);
    const u = Math.max(random(), 1e-12);
    out[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  }
  return out;
}

/**
 * The nearest code by a linear scan, deciding between neighbours at their float32 midpoint `(a + b) · 0.5f` as
 * bitsandbytes' `quantize_2D` does (a value on the midpoint goes up), then bitsandbytes' sign fix for the signed
 * state: a negative value that landed on a non-negative code moves one code down.
 */
export function nearestCode(map: DynamicMap, x: number): number {
  const v = map.values;
  let code = 0;
  for (let c = 1; c < v.length; c++) if (x >= Math.fround(Math.fround(v[c - 1]! + v[c]!) * 0.5)) code = c;
  if (map.signed && x < 0 && v[code]! >= 0) code -= 1;
  return code;
}

/** One moment quantised blockwise, as plain arrays: a code per value (padded to whole blocks) and an absmax per block. */
export interface ReferenceMoment {
  codes: Uint8Array;
  absmax: Float32Array;
}

/** Quantise `values` (length a multiple of `blockSize`) with per-block absmax, all in float32 like the kernel. */
export function referenceQuantize(map: DynamicMap, values: Float32Array, blockSize: number): ReferenceMoment {
  const codes = new Uint8Array(values.length);
  const absmax = new Float32Array(values.length / blockSize);
  for (let b = 0; b < absmax.length; b++) {
    let max = 0;
    for (let i = b * blockSize; i < (b + 1) * blockSize; i++) max = Math.max(max, Math.abs(values[i]!));
    absmax[b] = max;
    for (let i = b * blockSize; i < (b + 1) * blockSize; i++) codes[i] = nearestCode(map, max === 0 ? 0 : Math.fround(values[i]! / max));
  }
  return { codes, absmax };
}

/** The float32 values of a reference moment: `map[code] · absmax`. */
export function referenceDequantize(map: DynamicMap, moment: ReferenceMoment, blockSize: number): Float32Array {
  return Float32Array.from(moment.codes, (c, i) => Math.fround(map.values[c]! * moment.absmax[Math.floor(i / blockSize)]!));
}

/**
 * bitsandbytes' 8-bit blockwise AdamW for one parameter written out with scalar float32 arithmetic (Math.fround after
 * every operation): dequantise m and v, torch's AdamW update in core's operation order, requantise with a new absmax.
 */
export class ReferenceAdam8bit {
  readonly param: Float32Array;
  readonly m: ReferenceMoment;
  readonly v: ReferenceMoment;
  #step = 0;

  constructor(
    initial: Float32Array,
    readonly settings: OptimizerSettings,
    readonly maps: { signed: DynamicMap; unsigned: DynamicMap },
    readonly blockSize: number,
  ) {
    this.param = Float32Array.from(initial);
    const padded = Math.ceil(initial.length / blockSize) * blockSize;
    this.m = { codes: new Uint8Array(padded).fill(maps.signed.zeroCode), absmax: new Float32Array(padded / blockSize) };
    this.v = { codes: new Uint8Array(padded).fill(maps.unsigned.zeroCode), absmax: new Float32Array(padded / blockSize) };
  }

  step(grad: Float32Array, lr: number): void {
    const f = Math.fround;
    this.#step += 1;
    const { beta1, beta2, epsilon, weightDecay } = this.settings;
    const negStep = f(-(lr / (1 - beta1 ** this.#step)));
    const bc2 = f(Math.sqrt(1 - beta2 ** this.#step));
    const m = referenceDequantize(this.maps.signed, this.m, this.blockSize);
    const v = referenceDequantize(this.maps.unsigned, this.v, this.blockSize);
    for (let i = 0; i < m.length; i++) {
      const g = i < grad.length ? grad[i]! : 0;
      m[i] = f(f(m[i]! * f(beta1)) + f(g * f(1 - beta1)));
      v[i] = f(f(v[i]! * f(beta2)) + f(f(f(1 - beta2) * g) * g));
      if (i >= this.param.length) continue;
      const denom = f(f(f(Math.sqrt(v[i]!)) / bc2) + f(epsilon));
      const decayed = weightDecay === 0 ? this.param[i]! : f(this.param[i]! * f(1 - lr * weightDecay));
      this.param[i] = f(decayed + f(f(m[i]! / denom) * negStep));
    }
    Object.assign(this.m, referenceQuantize(this.maps.signed, m, this.blockSize));
    Object.assign(this.v, referenceQuantize(this.maps.unsigned, v, this.blockSize));
  }
}
