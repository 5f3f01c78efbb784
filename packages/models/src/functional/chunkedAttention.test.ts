import '@tensorflow/tfjs-backend-cpu';
// why: tfjs-core's Node entry registers no gradients; its ES build's registry is shared (see @sdxl-trainer/tensor registerGradients).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../testing/fixture.js';
import { scaledDotProductAttention } from './attention.js';
import { chunkedAttention } from './chunkedAttention.js';
import { Rng, setTestBackend } from '@sdxl-trainer/tensor';

// why: tensors are made at module level below, before any beforeAll runs.
await setTestBackend();

// Reference: the plain path (one softmax over all queries, tfjs autodiff). Forward: chunked ≤ 1e-6 of it (the same
// per-row arithmetic); gradients ≤ 1e-6 absolute (the hand-written backward sums over chunks in another order).
beforeAll(async () => {
  await setTestBackend();
});

const random = Rng.fromSeed(11);
const randn = (shape: [number, number, number]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.normal()), shape) as tf.Tensor3D;

describe('chunkedAttention', () => {
  const [b, lq, lk, d, dv] = [3, 11, 7, 4, 5];
  const [q, k, v] = [randn([b, lq, d]), randn([b, lk, d]), randn([b, lk, dv])];
  const weights = randn([b, lq, dv]);
  const scale = 0.37;
  const loss = (f: (qq: tf.Tensor3D, kk: tf.Tensor3D, vv: tf.Tensor3D) => tf.Tensor3D) => (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) =>
    tf.sum(tf.mul(f(qq as tf.Tensor3D, kk as tf.Tensor3D, vv as tf.Tensor3D), weights));
  const plain = (qq: tf.Tensor3D, kk: tf.Tensor3D, vv: tf.Tensor3D) => scaledDotProductAttention(qq, kk, vv, { scale });

  it('gives the plain numbers and gradients for every chunk size (cross-attention shapes, Lq ≠ Lk, Dv ≠ D)', () => {
    const expected = plain(q, k, v).dataSync();
    const expectedGrads = tf.grads(loss(plain))([q, k, v]).map((g) => g.dataSync());
    for (const chunk of [1, 2, 4, 5, 10, 11, 50]) {
      const chunked = (qq: tf.Tensor3D, kk: tf.Tensor3D, vv: tf.Tensor3D) => chunkedAttention(qq, kk, vv, scale, chunk);
      expect(maxAbsDiff(chunked(q, k, v).dataSync(), expected), `chunk ${chunk}`).toBeLessThanOrEqual(1e-6);
      const grads = tf.grads(loss(chunked))([q, k, v]).map((g) => g.dataSync());
      grads.forEach((g, i) => expect(maxAbsDiff(g, expectedGrads[i]!), `grad ${'qkv'[i]}, chunk ${chunk}`).toBeLessThanOrEqual(1e-6));
    }
  });

  it('never holds the whole [B, Lq, Lk] probability matrix: the backward peak shrinks with the chunk', async () => {
    const [bb, l, dd] = [2, 256, 8];
    const [qq, kk, vv] = [randn([bb, l, dd]), randn([bb, l, dd]), randn([bb, l, dd])];
    const peak = async (f: (a: tf.Tensor3D, c: tf.Tensor3D, e: tf.Tensor3D) => tf.Tensor3D): Promise<number> => {
      const before = tf.memory().numBytes;
      const info = await tf.profile(() => {
        const grads = tf.grads((a: tf.Tensor, c: tf.Tensor, e: tf.Tensor) => tf.sum(f(a as tf.Tensor3D, c as tf.Tensor3D, e as tf.Tensor3D)))([qq, kk, vv]);
        tf.dispose(grads);
      });
      return info.peakBytes - before;
    };
    const matrix = bb * l * l * 4; // one [B, L, L] float32 tensor: 512 KiB
    const plainPeak = await peak(plain);
    const peak32 = await peak((a, c, e) => chunkedAttention(a, c, e, scale, 32));
    const peak8 = await peak((a, c, e) => chunkedAttention(a, c, e, scale, 8));
    // The plain path holds several [B, L, L] tensors at once (scores, probabilities, their gradients; measured 6.3
    // matrices). Chunked, the peak follows the chunk (a few [B, chunk, L] tensors): with 8 queries (matrix / 32 each)
    // it stays below one matrix (measured 0.57).
    expect(plainPeak).toBeGreaterThanOrEqual(2 * matrix);
    expect(peak32).toBeLessThan(plainPeak / 4);
    expect(peak8).toBeLessThan(peak32);
    expect(peak8).toBeLessThan(matrix);
  });

  it('uses no Einsum or StridedSlice (no gradient in tfjs-core 4.22)', async () => {
    const profile = await tf.profile(() => {
      tf.grads(loss((qq, kk, vv) => chunkedAttention(qq, kk, vv, scale, 3)))([q, k, v]);
    });
    expect(profile.kernelNames).toContain('BatchMatMul');
    expect(profile.kernelNames).not.toContain('Einsum');
    expect(profile.kernelNames).not.toContain('StridedSlice');
  });
});
