import '@tensorflow/tfjs-backend-cpu';
// why: tfjs-core's Node entry registers no gradients; its ES build's registry is shared (see @sdxl-trainer/tensor registerGradients).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { upsampleNearest } from './upsampleNearest.js';
import { Rng, setTestBackend } from '@sdxl-trainer/tensor';

// why: tensors are made at module level below, before any beforeAll runs.
await setTestBackend();

beforeAll(async () => {
  await setTestBackend();
});

/** F.interpolate(mode="nearest") on NHWC: output (i, j) reads input (⌊i·H/H'⌋, ⌊j·W/W'⌋). */
function naive(x: Float32Array, [n, h, w, c]: number[], outH: number, outW: number): Float32Array {
  const out = new Float32Array(n * outH * outW * c);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        const [si, sj] = [Math.floor((i * h) / outH), Math.floor((j * w) / outW)];
        for (let k = 0; k < c; k++) out[((b * outH + i) * outW + j) * c + k] = x[((b * h + si) * w + sj) * c + k]!;
      }
    }
  }
  return out;
}

describe('upsampleNearest', () => {
  const random = Rng.fromSeed(3);
  const shape = [2, 3, 5, 4];
  const data = Float32Array.from({ length: 2 * 3 * 5 * 4 }, () => random.normal());
  const x = tf.tensor4d(data, shape as [number, number, number, number]);

  it('doubles by default and resizes to a given size, as PyTorch nearest (exactly)', () => {
    expect(Array.from(upsampleNearest(x).dataSync())).toEqual(Array.from(naive(data, shape, 6, 10)));
    expect(Array.from(upsampleNearest(x, [5, 9]).dataSync())).toEqual(Array.from(naive(data, shape, 5, 9)));
  });

  it('its 2× gradient sums each 2×2 block of the upstream gradient (batch 2), with no ResizeNearestNeighborGrad', async () => {
    const dy = Float32Array.from({ length: 2 * 6 * 10 * 4 }, () => random.normal());
    const weights = tf.tensor4d(dy, [2, 6, 10, 4]);
    let grad: Float32Array | undefined;
    const profile = await tf.profile(() => {
      grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(upsampleNearest(input as tf.Tensor4D), weights)))(x).dataSync() as Float32Array;
    });
    expect(profile.kernelNames).not.toContain('ResizeNearestNeighborGrad');
    const expected = new Float32Array(data.length);
    for (let b = 0; b < 2; b++) {
      for (let i = 0; i < 6; i++) {
        for (let j = 0; j < 10; j++) {
          for (let k = 0; k < 4; k++) expected[((b * 3 + (i >> 1)) * 5 + (j >> 1)) * 4 + k]! += dy[((b * 6 + i) * 10 + j) * 4 + k]!;
        }
      }
    }
    let worst = 0;
    expected.forEach((value, i) => (worst = Math.max(worst, Math.abs(value - grad![i]!))));
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});
