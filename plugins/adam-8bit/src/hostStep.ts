import { lookupCodes, type CodeLookup } from './codeLookup.js';

/** The float32 scalars of one AdamW step, as core's AdamW makes them with tf.scalar. */
export interface StepScalars {
  readonly b1: number;
  readonly oneMinusB1: number;
  readonly b2: number;
  readonly oneMinusB2: number;
  readonly bc2: number;
  readonly eps: number;
  readonly negStep: number;
  /** `1 − lr·λ`, or undefined when weight decay is 0 (no multiply, as core's AdamW). */
  readonly decay: number | undefined;
}

/** One moment on the host: one code per value (a byte view of the packed int32s) and one absmax per block. */
export interface HostMoment {
  readonly codes: Uint8Array;
  readonly absmax: Float32Array;
}

/**
 * The whole 8-bit AdamW step of one parameter in one pass over host memory, for backends whose tensors live there
 * (cpu, wasm), where tfjs' int32, gather and broadcast kernels are slow. Block by block: dequantise m and v, update
 * them and the weights with core's AdamW float32 operations in core's order (`Math.fround` after each, which is what
 * those kernels compute), then requantise with the block's new absmax and the same thresholds as the tfjs-ops path,
 * so both give identical bits. `param` is updated in place; `m` and `v` are read and written in place.
 */
export function hostStep(param: Float32Array, grad: Float32Array, m: HostMoment, v: HostMoment, lookups: { m: CodeLookup; v: CodeLookup }, s: StepScalars): void {
  const f = Math.fround;
  const n = param.length;
  const blocks = m.absmax.length;
  const blockSize = m.codes.length / blocks;
  const mCodes = m.codes;
  const vCodes = v.codes;
  const mValues = lookups.m.map.values;
  const vValues = lookups.v.map.values;
  const { b1, oneMinusB1, b2, oneMinusB2, bc2, eps, negStep } = s;
  const decay = s.decay ?? 1;
  const decays = s.decay !== undefined;
  const newM = new Float32Array(blockSize);
  const newV = new Float32Array(blockSize);
  const mBits = new Int32Array(newM.buffer);
  const vBits = new Int32Array(newV.buffer);
  for (let b = 0; b < blocks; b++) {
    const start = b * blockSize;
    const valid = Math.min(blockSize, n - start);
    const mScale = m.absmax[b]!;
    const vScale = v.absmax[b]!;
    let mMax = 0;
    let vMax = 0;
    for (let j = 0; j < blockSize; j++) {
      const i = start + j;
      const g = j < valid ? grad[i]! : 0;
      const mi = f(f(f(mValues[mCodes[i]!]! * mScale) * b1) + f(g * oneMinusB1));
      const vi = f(f(f(vValues[vCodes[i]!]! * vScale) * b2) + f(f(oneMinusB2 * g) * g));
      newM[j] = mi;
      newV[j] = vi;
      const mAbs = Math.abs(mi);
      if (mAbs > mMax) mMax = mAbs;
      if (vi > vMax) vMax = vi;
      if (j < valid) {
        const denom = f(f(f(Math.sqrt(vi)) / bc2) + eps);
        const p = decays ? f(param[i]! * decay) : param[i]!;
        param[i] = f(p + f(f(mi / denom) * negStep));
      }
    }
    m.absmax[b] = mMax;
    v.absmax[b] = vMax;
    // why: an all-zero block has absmax 0 and is divided by 1, as on the tfjs-ops path.
    const mDivisor = mMax > 0 ? mMax : 1;
    const vDivisor = vMax > 0 ? vMax : 1;
    for (let j = 0; j < blockSize; j++) {
      newM[j] = f(newM[j]! / mDivisor);
      newV[j] = f(newV[j]! / vDivisor);
    }
    lookupCodes(lookups.m, newM, mBits, blockSize, mCodes, start);
    lookupCodes(lookups.v, newV, vBits, blockSize, vCodes, start);
  }
}
