import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { maxAbs, maxAbsDiff, naiveConvFilterGrad, seeded } from '../testing/reference.js';
import { setupWasm } from '../testing/setupWasm.js';
import { registerCpuKernels } from '../registerCpuKernels.js';
import { stockKernel } from './replaceKernel.js';

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
  { name: '3x3 stride 2 valid', x: [1, 8, 8, 2], k: [3, 3], co: 3, stride: 2, pad: 'valid' },
  { name: '3x3 stride 2 explicit pad 1 (PyTorch downsample)', x: [2, 8, 8, 4], k: [3, 3], co: 4, stride: 2, pad: [1, 1, 1, 1] },
  { name: '3x3 stride 2 asymmetric explicit pad', x: [1, 6, 7, 2], k: [3, 3], co: 3, stride: 2, pad: [0, 1, 2, 0] },
  { name: '1x1 stride 1', x: [2, 5, 4, 6], k: [1, 1], co: 3, stride: 1, pad: 'valid' },
  { name: '1x1 stride 2', x: [2, 5, 5, 3], k: [1, 1], co: 2, stride: 2, pad: 'same' },
  { name: '2x3 kernel stride 1 same', x: [1, 5, 6, 2], k: [2, 3], co: 3, stride: 1, pad: 'same' },
];

function toTfPad(pad: Pad): 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] {
  return Array.isArray(pad) ? [[0, 0], [pad[0], pad[1]], [pad[2], pad[3]], [0, 0]] : pad;
}

function dyShape(c: Case): [number, number, number, number] {
  const probe = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([...c.k, c.x[3], c.co]) as tf.Tensor4D, c.stride, toTfPad(c.pad)).shape);
  return probe as [number, number, number, number];
}

/** Runs the registered Conv2DBackpropFilter kernel of the active backend. */
function filterGrad(c: Case, x: Float32Array, dy: Float32Array, dyS: number[]): Float32Array {
  return tf.tidy(() => {
    const out = tf.engine().runKernel(
      'Conv2DBackpropFilter',
      { x: tf.tensor4d(x, c.x), dy: tf.tensor4d(dy, dyS as [number, number, number, number]) },
      { strides: c.stride, pad: toTfPad(c.pad), dataFormat: 'NHWC', filterShape: [...c.k, c.x[3], c.co] },
    ) as tf.Tensor;
    return Float32Array.from(out.dataSync());
  });
}

// Tolerance: float32 sums of ≤ 200 products of values in [-1, 1), summed in another order than the
// float64 reference: 1e-4 relative to the largest |dW| (an indexing error is O(1) relative).
const REL_TOL = 1e-4;

describe('Conv2DBackpropFilter by filter taps', () => {
  beforeAll(async () => {
    await setupWasm();
    registerCpuKernels();
  });

  for (const c of cases) {
    it(`${c.name}: wasm and patched cpu match the float64 definition and the stock cpu kernel`, async () => {
      await tf.setBackend('cpu');
      const dyS = dyShape(c);
      const x = seeded(c.x.reduce((p, d) => p * d, 1), 11);
      const dy = seeded(dyS.reduce((p, d) => p * d, 1), 12);
      const ref = naiveConvFilterGrad(x, c.x, dy, c.k, c.co, c.stride, c.pad);
      const tol = REL_TOL * Math.max(1, maxAbs(ref));

      const cpuPatched = filterGrad(c, x, dy, dyS);
      const stock = stockKernel('Conv2DBackpropFilter', 'cpu');
      expect(stock).toBeDefined();
      const cpuStock = tf.tidy(() => {
        const info = stock!.kernelFunc({
          inputs: { x: tf.tensor4d(x, c.x), dy: tf.tensor4d(dy, dyS) },
          backend: tf.backend(),
          attrs: { strides: c.stride, pad: toTfPad(c.pad), dataFormat: 'NHWC', filterShape: [...c.k, c.x[3], c.co] },
        }) as tf.TensorInfo;
        const t = tf.engine().makeTensorFromTensorInfo(info);
        return Float32Array.from(t.dataSync());
      });
      await tf.setBackend('wasm');
      const wasm = filterGrad(c, x, dy, dyS);

      expect(maxAbsDiff(wasm, ref)).toBeLessThanOrEqual(tol);
      expect(maxAbsDiff(cpuPatched, ref)).toBeLessThanOrEqual(tol);
      expect(maxAbsDiff(wasm, cpuStock)).toBeLessThanOrEqual(tol);
    });
  }

  it('refuses NCHW with KERNEL_UNSUPPORTED', async () => {
    await tf.setBackend('wasm');
    expect(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.zeros([1, 2, 4, 4]), dy: tf.zeros([1, 2, 4, 4]) }, {
        strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2],
      }),
    ).toThrow(expect.objectContaining({ code: 'KERNEL_UNSUPPORTED' }));
  });

  it('is what tf.grads uses for a conv weight on wasm', async () => {
    await tf.setBackend('wasm');
    const xs: [number, number, number, number] = [2, 6, 6, 3];
    const x = seeded(2 * 6 * 6 * 3, 3);
    const w = seeded(3 * 3 * 3 * 4, 4);
    const g = tf.tidy(() => {
      const [gw] = tf.grads((wt: tf.Tensor) => tf.sum(tf.conv2d(tf.tensor4d(x, xs), wt as tf.Tensor4D, 2, 'same')))([tf.tensor4d(w, [3, 3, 3, 4])]);
      return Float32Array.from(gw!.dataSync());
    });
    // d(sum y)/dW with dy = 1 everywhere.
    const ref = naiveConvFilterGrad(x, xs, new Float32Array(2 * 3 * 3 * 4).fill(1), [3, 3], 4, 2, 'same');
    expect(maxAbsDiff(g, ref)).toBeLessThanOrEqual(REL_TOL * Math.max(1, maxAbs(ref)));
  });
});
