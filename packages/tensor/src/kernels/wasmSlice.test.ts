import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { seeded, valuesOn } from '../testing/reference.js';
import { setupWasm } from '../testing/setupWasm.js';

const cases: Array<{ shape: number[]; begin: number[]; size: number[] }> = [
  { shape: [10], begin: [3], size: [4] },
  { shape: [4, 5], begin: [1, 2], size: [2, 3] },
  { shape: [4, 5], begin: [1, 0], size: [2, 5] },
  { shape: [3, 4, 5], begin: [1, 1, 0], size: [2, -1, 5] },
  { shape: [2, 6, 7, 3], begin: [0, 1, 2, 0], size: [2, 4, 4, 3] },
  { shape: [2, 6, 7, 3], begin: [1, 0, 0, 1], size: [1, 6, 7, 2] },
  { shape: [2, 3, 2, 4, 2, 3], begin: [0, 1, 1, 0, 1, 0], size: [2, 2, 1, 4, 1, 3] },
  { shape: [2, 3, 4, 5, 6], begin: [1, 0, 2, 1, 3], size: [1, 3, 2, 4, 3] },
  { shape: [3, 4], begin: [0, 0], size: [3, 4] },
  { shape: [3, 4], begin: [1, 1], size: [0, 2] },
];

describe('wasm Slice by contiguous runs', () => {
  beforeAll(setupWasm);

  for (const c of cases) {
    for (const dtype of ['float32', 'int32'] as const) {
      it(`slices [${c.shape}] at [${c.begin}] size [${c.size}] (${dtype}) exactly like cpu`, async () => {
        const n = c.shape.reduce((p, d) => p * d, 1);
        const data = dtype === 'int32' ? Int32Array.from(seeded(n, 7), (v) => Math.round(v * 1000)) : seeded(n, 7);
        const run = (): tf.Tensor => tf.slice(tf.tensor(data, c.shape, dtype), c.begin, c.size);
        const [cpu] = await valuesOn('cpu', run);
        const cpuShape = tf.tidy(run).shape;
        const [wasm] = await valuesOn('wasm', run);
        expect(tf.tidy(run).shape).toEqual(cpuShape);
        expect(Array.from(wasm!)).toEqual(Array.from(cpu!));
      });
    }
  }

  it('gives the gradient of a slice (a pad) like cpu', async () => {
    const x = seeded(2 * 5 * 6 * 3, 9);
    const run = (): tf.Tensor => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.slice(t, [0, 1, 2, 0], [2, 3, 3, 3]), 3)))(tf.tensor4d(x, [2, 5, 6, 3]));
    const [cpu] = await valuesOn('cpu', run);
    const [wasm] = await valuesOn('wasm', run);
    expect(Array.from(wasm!)).toEqual(Array.from(cpu!));
  });
});
