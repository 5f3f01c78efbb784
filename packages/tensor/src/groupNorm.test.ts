import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { groupNorm, groupNormMoments } from './groupNorm.js';
import { maxAbs, maxAbsDiff, seeded, valuesOn } from './testing/reference.js';
import { setupWasm } from './testing/setupWasm.js';

/**
 * torch.nn.GroupNorm's definition in float64 (aten/src/ATen/native/group_norm.cpp): per sample and group,
 * biased variance over (group channels, H, W), eps inside the square root; x is NHWC here.
 */
function torchGroupNorm(x: Float64Array, shape: number[], groups: number, gamma: Float64Array, beta: Float64Array, eps: number): Float64Array {
  const [n, h, w, c] = shape as [number, number, number, number];
  const cg = c / groups;
  const y = new Float64Array(x.length);
  for (let b = 0; b < n; b++)
    for (let g = 0; g < groups; g++) {
      let sum = 0;
      for (let p = 0; p < h * w; p++) for (let k = 0; k < cg; k++) sum += x[(b * h * w + p) * c + g * cg + k]!;
      const mean = sum / (h * w * cg);
      let sq = 0;
      for (let p = 0; p < h * w; p++) for (let k = 0; k < cg; k++) sq += (x[(b * h * w + p) * c + g * cg + k]! - mean) ** 2;
      const rstd = 1 / Math.sqrt(sq / (h * w * cg) + eps);
      for (let p = 0; p < h * w; p++)
        for (let k = 0; k < cg; k++) {
          const i = (b * h * w + p) * c + g * cg + k;
          y[i] = (x[i]! - mean) * rstd * gamma[g * cg + k]! + beta[g * cg + k]!;
        }
    }
  return y;
}

/** Central finite differences of L = Σ torchGroupNorm(...)·r with respect to every entry of `which`. */
function numericGrad(which: Float64Array, loss: () => number): Float64Array {
  const h = 1e-5;
  const g = new Float64Array(which.length);
  for (let i = 0; i < which.length; i++) {
    const keep = which[i]!;
    which[i] = keep + h;
    const up = loss();
    which[i] = keep - h;
    const down = loss();
    which[i] = keep;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

const cases = [
  { shape: [1, 4, 4, 8], groups: 4, name: 'batch 1 (ones-row matmul)' },
  { shape: [2, 3, 5, 6], groups: 2, name: 'batch 2 (block-ones matmul)' },
  { shape: [2, 4, 4, 4], groups: 1, name: 'one group (norm_num_groups 1, as sdxl-tiny)' },
  { shape: [1, 3, 3, 4], groups: 4, name: 'one channel per group' },
  { shape: [9, 2, 2, 4], groups: 2, name: 'batch 9 (sum fallback)' },
];

describe('groupNorm', () => {
  beforeAll(setupWasm);

  for (const c of cases) {
    for (const backend of ['cpu', 'wasm']) {
      it(`${c.name} on ${backend}: forward and gradients match PyTorch's definition and the tf.moments form`, async () => {
        const size = c.shape.reduce((p, d) => p * d, 1);
        const ch = c.shape[3]!;
        // A mean offset and a spread unlike 1 so that a wrong statistic cannot pass.
        const x = seeded(size, 61).map((v) => 0.7 + 2.5 * v);
        const gamma = seeded(ch, 62).map((v) => 1 + 0.5 * v);
        const beta = seeded(ch, 63);
        const r = seeded(size, 64);
        const eps = 1e-5;
        const run = (f: typeof groupNorm) => (): tf.Tensor[] => {
          const loss = (xt: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor): tf.Tensor =>
            tf.sum(tf.mul(f(xt as tf.Tensor4D, c.groups, gt as tf.Tensor1D, bt as tf.Tensor1D, eps), tf.tensor(r, c.shape)));
          const y = f(tf.tensor4d(x, c.shape as [number, number, number, number]), c.groups, tf.tensor1d(gamma), tf.tensor1d(beta), eps);
          return [y, ...tf.grads(loss)([tf.tensor(x, c.shape), tf.tensor1d(gamma), tf.tensor1d(beta)])];
        };
        const fast = await valuesOn(backend, run(groupNorm));
        const moments = await valuesOn(backend, run(groupNormMoments));

        const x64 = Float64Array.from(x);
        const g64 = Float64Array.from(gamma);
        const b64 = Float64Array.from(beta);
        const refY = torchGroupNorm(x64, c.shape, c.groups, g64, b64, eps);
        const loss = (): number => torchGroupNorm(x64, c.shape, c.groups, g64, b64, eps).reduce((s, v, i) => s + v * r[i]!, 0);
        const refGrads = [numericGrad(x64, loss), numericGrad(g64, loss), numericGrad(b64, loss)];

        // Tolerances: y 2e-5 absolute (|y| ≲ 5, one-pass float32 statistics); gradients 1e-4 relative to
        // their largest entry (float32 against float64 finite differences with step 1e-5).
        expect(maxAbsDiff(fast[0]!, refY)).toBeLessThanOrEqual(2e-5);
        expect(maxAbsDiff(fast[0]!, moments[0]!)).toBeLessThanOrEqual(2e-5);
        for (let i = 0; i < 3; i++) {
          const tol = 1e-4 * Math.max(1, maxAbs(refGrads[i]!));
          expect(maxAbsDiff(fast[i + 1]!, refGrads[i]!), `grad ${i}`).toBeLessThanOrEqual(tol);
          expect(maxAbsDiff(fast[i + 1]!, moments[i + 1]!), `grad ${i} vs moments`).toBeLessThanOrEqual(tol);
        }
      });
    }
  }

  it('checks its arguments', () => {
    const x = tf.zeros([1, 2, 2, 6]) as tf.Tensor4D;
    expect(() => groupNorm(x, 4, tf.ones([6]) as tf.Tensor1D, tf.zeros([6]) as tf.Tensor1D)).toThrow(/divisible by groups/);
    expect(() => groupNorm(x, 3, tf.ones([5]) as tf.Tensor1D, tf.zeros([6]) as tf.Tensor1D)).toThrow(/6 elements/);
  });
});
