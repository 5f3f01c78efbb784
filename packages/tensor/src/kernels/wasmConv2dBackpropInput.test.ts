import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { maxAbs, maxAbsDiff, naiveConvInputGrad, seeded, valuesOn } from '../testing/reference.js';
import { setupWasm } from '../testing/setupWasm.js';

type Pad = 'same' | 'valid' | [number, number, number, number];
interface Case {
  readonly name: string;
  readonly x: [number, number, number, number];
  readonly k: [number, number];
  readonly co: number;
  readonly stride: number;
  readonly pad: Pad;
}

const cases: Case[] = [
  { name: '3x3 stride 1 same', x: [2, 6, 7, 3], k: [3, 3], co: 4, stride: 1, pad: 'same' },
  { name: '3x3 stride 1 valid', x: [1, 6, 6, 2], k: [3, 3], co: 5, stride: 1, pad: 'valid' },
  { name: '3x3 stride 1 explicit pad 1', x: [2, 5, 5, 3], k: [3, 3], co: 2, stride: 1, pad: [1, 1, 1, 1] },
  { name: '3x3 stride 2 same (odd size)', x: [2, 7, 9, 3], k: [3, 3], co: 4, stride: 2, pad: 'same' },
  { name: '3x3 stride 2 valid (unused last row)', x: [1, 8, 8, 2], k: [3, 3], co: 3, stride: 2, pad: 'valid' },
  { name: '3x3 stride 2 explicit pad 1 (PyTorch downsample)', x: [2, 8, 8, 4], k: [3, 3], co: 4, stride: 2, pad: [1, 1, 1, 1] },
  { name: '3x3 stride 2 asymmetric explicit pad', x: [1, 6, 7, 2], k: [3, 3], co: 3, stride: 2, pad: [0, 1, 2, 0] },
  { name: '1x1 stride 1', x: [2, 5, 4, 6], k: [1, 1], co: 3, stride: 1, pad: 'valid' },
  { name: '1x1 stride 2', x: [2, 5, 5, 3], k: [1, 1], co: 2, stride: 2, pad: 'same' },
  { name: '1x1 explicit pad 2 (pad larger than kernel)', x: [1, 4, 4, 2], k: [1, 1], co: 2, stride: 1, pad: [2, 2, 2, 2] },
  { name: '2x3 kernel stride 1 same', x: [1, 5, 6, 2], k: [2, 3], co: 3, stride: 1, pad: 'same' },
];

function toTfPad(pad: Pad): 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] {
  return Array.isArray(pad) ? [[0, 0], [pad[0], pad[1]], [pad[2], pad[3]], [0, 0]] : pad;
}

// Tolerance: 1e-4 relative to the largest |dX| (float32 sums in another order than float64).
const REL_TOL = 1e-4;

describe('wasm Conv2DBackpropInput as a forward XNNPACK conv', () => {
  beforeAll(setupWasm);

  for (const c of cases) {
    it(`${c.name}: matches the cpu backend and the float64 definition`, async () => {
      await tf.setBackend('cpu');
      const dyS = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([...c.k, c.x[3], c.co]) as tf.Tensor4D, c.stride, toTfPad(c.pad)).shape);
      const filter = seeded(c.k[0] * c.k[1] * c.x[3] * c.co, 21);
      const dy = seeded(dyS.reduce((p, d) => p * d, 1), 22);
      const run = (): tf.Tensor =>
        tf.engine().runKernel(
          'Conv2DBackpropInput',
          { dy: tf.tensor4d(dy, dyS), filter: tf.tensor4d(filter, [...c.k, c.x[3], c.co]) },
          { strides: c.stride, pad: toTfPad(c.pad), dataFormat: 'NHWC', inputShape: c.x },
        ) as tf.Tensor;
      const [cpu] = await valuesOn('cpu', run);
      const [wasm] = await valuesOn('wasm', run);
      const ref = naiveConvInputGrad(c.x, filter, c.k, c.co, dy, c.stride, c.pad);
      const tol = REL_TOL * Math.max(1, maxAbs(ref));
      expect(maxAbsDiff(wasm!, cpu!)).toBeLessThanOrEqual(tol);
      expect(maxAbsDiff(wasm!, ref)).toBeLessThanOrEqual(tol);
    });
  }

  it('serves conv2dTranspose (the VAE/upsampler op) like cpu', async () => {
    const x = seeded(2 * 4 * 5 * 3, 5);
    const w = seeded(3 * 3 * 6 * 3, 6);
    const run = (): tf.Tensor => tf.conv2dTranspose(tf.tensor4d(x, [2, 4, 5, 3]), tf.tensor4d(w, [3, 3, 6, 3]), [2, 8, 10, 6], 2, 'same');
    const [cpu] = await valuesOn('cpu', run);
    const [wasm] = await valuesOn('wasm', run);
    expect(maxAbsDiff(wasm!, cpu!)).toBeLessThanOrEqual(REL_TOL * Math.max(1, maxAbs(cpu!)));
  });
});
