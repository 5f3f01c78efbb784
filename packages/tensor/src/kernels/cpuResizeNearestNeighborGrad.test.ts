import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { maxAbsDiff, resizeNearestGradReference as referenceGrad, seeded, valuesOn } from '../testing/reference.js';
import { setupWasm } from '../testing/setupWasm.js';
import { registerCpuKernels, unregisterCpuKernels } from '../registerCpuKernels.js';

const cases: Array<{ n: number; h: number; w: number; c: number; size: [number, number]; ac: boolean; hp: boolean }> = [
  { n: 2, h: 3, w: 4, c: 2, size: [6, 8], ac: false, hp: false }, // the 2x upsample of every UNet
  { n: 3, h: 2, w: 2, c: 3, size: [4, 4], ac: false, hp: true },
  { n: 2, h: 3, w: 5, c: 1, size: [7, 9], ac: true, hp: false },
  { n: 2, h: 4, w: 3, c: 2, size: [5, 7], ac: false, hp: false },
  { n: 1, h: 5, w: 5, c: 2, size: [3, 2], ac: false, hp: true }, // downsizing
];

describe('cpu ResizeNearestNeighborGrad as the adjoint of the forward resize', () => {
  beforeAll(async () => {
    await setupWasm();
    registerCpuKernels();
  });

  for (const k of cases) {
    it(`batch ${k.n} ${k.h}x${k.w} → ${k.size.join('x')} (alignCorners ${k.ac}, halfPixelCenters ${k.hp}) matches the reference and wasm`, async () => {
      const x = seeded(k.n * k.h * k.w * k.c, 1);
      const dy = seeded(k.n * k.size[0] * k.size[1] * k.c, 2);
      const run = (): tf.Tensor =>
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, k.size, k.ac, k.hp), tf.tensor4d(dy, [k.n, ...k.size, k.c]))))(
          tf.tensor4d(x, [k.n, k.h, k.w, k.c]),
        );
      const ref = await referenceGrad(k.n, k.h, k.w, k.c, k.size, k.ac, k.hp, dy);
      const [cpu] = await valuesOn('cpu', run);
      expect(maxAbsDiff(cpu!, ref)).toBeLessThanOrEqual(1e-6);
      if (!k.hp) {
        // why: wasm's own kernel is the independent cross-check where it supports the attributes.
        const [wasm] = await valuesOn('wasm', run);
        expect(maxAbsDiff(wasm!, ref)).toBeLessThanOrEqual(1e-6);
      }
    });
  }

  it('fixes a real bug: the stock cpu kernel is wrong for the second batch item', async () => {
    const k = cases[0]!;
    const x = seeded(k.n * k.h * k.w * k.c, 1);
    const dy = seeded(k.n * k.size[0] * k.size[1] * k.c, 2);
    const run = (): tf.Tensor =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, k.size), tf.tensor4d(dy, [k.n, ...k.size, k.c]))))(
        tf.tensor4d(x, [k.n, k.h, k.w, k.c]),
      );
    const ref = await referenceGrad(k.n, k.h, k.w, k.c, k.size, false, false, dy);
    unregisterCpuKernels();
    try {
      const [stock] = await valuesOn('cpu', run);
      const half = (k.h * k.w * k.c);
      expect(maxAbsDiff(stock!.slice(0, half), ref.slice(0, half))).toBeLessThanOrEqual(1e-6);
      expect(maxAbsDiff(stock!.slice(half), ref.slice(half))).toBeGreaterThan(0.1);
    } finally {
      registerCpuKernels();
    }
  });
});
