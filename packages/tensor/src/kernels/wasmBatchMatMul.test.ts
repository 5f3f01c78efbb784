import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { maxAbs, maxAbsDiff, naiveMatMul, seeded, valuesOn } from '../testing/reference.js';
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
