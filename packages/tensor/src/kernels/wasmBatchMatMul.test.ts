import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { maxAbs, maxAbsDiff, seeded, valuesOn } from '../testing/reference.js';
import { setupWasm } from '../testing/setupWasm.js';

interface Case {
  readonly a: number[];
  readonly b: number[];
  readonly ta: boolean;
  readonly tb: boolean;
}

const cases: Case[] = [];
// Every transpose combination for 2-D, one shared batch, broadcast batches and a rank-4 attention shape.
for (const [a, b] of [
  [[5, 7], [7, 3]],
  [[3, 5, 7], [3, 7, 4]],
  [[3, 5, 7], [1, 7, 4]],
  [[1, 5, 7], [3, 7, 4]],
  [[5, 7], [3, 7, 4]],
  [[3, 5, 7], [7, 4]],
  [[2, 1, 5, 7], [1, 3, 7, 4]],
  [[2, 4, 6, 8], [2, 4, 8, 6]],
] as Array<[number[], number[]]>) {
  for (const ta of [false, true]) {
    for (const tb of [false, true]) {
      const sw = (s: number[], t: boolean): number[] => (t ? [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!] : s);
      cases.push({ a: sw(a, ta), b: sw(b, tb), ta, tb });
    }
  }
}

const size = (s: number[]): number => s.reduce((p, d) => p * d, 1);

/** Batched matmul with numpy batch broadcasting, by definition in float64. */
function naiveMatMul(a: Float32Array, as: number[], b: Float32Array, bs: number[], ta: boolean, tb: boolean): { values: Float64Array; shape: number[] } {
  const [m, k] = ta ? [as[as.length - 1]!, as[as.length - 2]!] : [as[as.length - 2]!, as[as.length - 1]!];
  const n = tb ? bs[bs.length - 2]! : bs[bs.length - 1]!;
  const oa = as.slice(0, -2);
  const ob = bs.slice(0, -2);
  const rank = Math.max(oa.length, ob.length);
  const pa = [...new Array<number>(rank - oa.length).fill(1), ...oa];
  const pb = [...new Array<number>(rank - ob.length).fill(1), ...ob];
  const outer = pa.map((d, i) => Math.max(d, pb[i]!));
  const values = new Float64Array(size(outer) * m * n);
  for (let i = 0; i < size(outer); i++) {
    let rest = i;
    let ia = 0;
    let ib = 0;
    let sa = 1;
    let sb = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const coord = rest % outer[d]!;
      rest = Math.floor(rest / outer[d]!);
      ia += (pa[d] === 1 ? 0 : coord) * sa;
      ib += (pb[d] === 1 ? 0 : coord) * sb;
      sa *= pa[d]!;
      sb *= pb[d]!;
    }
    for (let r = 0; r < m; r++)
      for (let c = 0; c < n; c++) {
        let acc = 0;
        for (let j = 0; j < k; j++) {
          const av = a[ia * m * k + (ta ? j * m + r : r * k + j)]!;
          const bv = b[ib * k * n + (tb ? c * k + j : j * n + c)]!;
          acc += av * bv;
        }
        values[(i * m + r) * n + c] = acc;
      }
  }
  return { values, shape: [...outer, m, n] };
}
// Tolerance: 1e-5 relative to the largest |output| (K ≤ 8 float32 products).
const REL_TOL = 1e-5;

describe('wasm BatchMatMul and _FusedMatMul without the slow path', () => {
  beforeAll(setupWasm);

  for (const c of cases) {
    // why: tfjs 4.22's stock kernels (cpu and wasm alike) do not broadcast two different batch
    // axes ([2,1]·[1,3]); there only the float64 definition is the reference.
    const cpuBroadcasts = size(c.a.slice(0, -2)) === 1 || size(c.b.slice(0, -2)) === 1 || c.a.slice(0, -2).join() === c.b.slice(0, -2).join();
    it(`[${c.a}]${c.ta ? 'ᵀ' : ''} · [${c.b}]${c.tb ? 'ᵀ' : ''} matches the definition${cpuBroadcasts ? ' and cpu' : ''}`, async () => {
      const a = seeded(size(c.a), 31);
      const b = seeded(size(c.b), 32);
      const run = (): tf.Tensor => tf.matMul(tf.tensor(a, c.a), tf.tensor(b, c.b), c.ta, c.tb);
      const ref = naiveMatMul(a, c.a, b, c.b, c.ta, c.tb);
      const tol = REL_TOL * Math.max(1, maxAbs(ref.values));
      await tf.setBackend('wasm');
      expect(tf.tidy(run).shape).toEqual(ref.shape);
      const [wasm] = await valuesOn('wasm', run);
      expect(maxAbsDiff(wasm!, ref.values)).toBeLessThanOrEqual(tol);
      if (cpuBroadcasts) {
        const [cpu] = await valuesOn('cpu', run);
        expect(maxAbsDiff(wasm!, cpu!)).toBeLessThanOrEqual(tol);
      }
    });
  }

  for (const activation of ['linear', 'relu', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const) {
    it(`fused matMul with bias and ${activation} (transposeB, batch 3) matches cpu`, async () => {
      const a = seeded(3 * 5 * 7, 41);
      const b = seeded(3 * 4 * 7, 42);
      const bias = seeded(4, 43);
      const alpha = seeded(4, 44);
      const run = (): tf.Tensor =>
        tf.fused.matMul({
          a: tf.tensor3d(a, [3, 5, 7]),
          b: tf.tensor3d(b, [3, 4, 7]),
          transposeB: true,
          bias: tf.tensor1d(bias),
          activation,
          ...(activation === 'prelu' ? { preluActivationWeights: tf.tensor1d(alpha) } : {}),
          ...(activation === 'leakyrelu' ? { leakyreluAlpha: 0.1 } : {}),
        });
      const [cpu] = await valuesOn('cpu', run);
      const [wasm] = await valuesOn('wasm', run);
      expect(maxAbsDiff(wasm!, cpu!)).toBeLessThanOrEqual(REL_TOL * Math.max(1, maxAbs(cpu!)));
    });
  }

  it('gives a linear layer the same gradients on wasm as on cpu (dX = dY·Wᵀ, dW = Xᵀ·dY)', async () => {
    const x = seeded(2 * 6 * 8, 51);
    const w = seeded(8 * 5, 52);
    const run = (): tf.Tensor[] => {
      const f = (xt: tf.Tensor, wt: tf.Tensor): tf.Tensor => tf.sum(tf.square(tf.matMul(tf.reshape(xt, [12, 8]), wt)));
      return tf.grads(f)([tf.tensor3d(x, [2, 6, 8]), tf.tensor2d(w, [8, 5])]);
    };
    const cpu = await valuesOn('cpu', run);
    const wasm = await valuesOn('wasm', run);
    for (let i = 0; i < 2; i++) expect(maxAbsDiff(wasm[i]!, cpu[i]!)).toBeLessThanOrEqual(REL_TOL * Math.max(1, maxAbs(cpu[i]!)));
  });
});
