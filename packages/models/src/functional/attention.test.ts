import '@tensorflow/tfjs-backend-cpu';
// why: tfjs-core's Node entry registers no gradients; its ES build's registry is shared (see @sdxl-trainer/tensor registerGradients).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeHeads, scaledDotProductAttention, splitHeads } from './attention.js';
import { Rng, setTestBackend } from '@sdxl-trainer/tensor';

// Reference: naive float64 softmax(q·kᵀ·scale + mask)·v per row. Tolerance 1e-5 against it; chunked against plain
// attention 1e-6 (same per-row arithmetic, so in practice 0).
const TOLERANCE = 1e-5;

beforeAll(async () => {
  await setTestBackend();
});

const random = Rng.fromSeed(7);
const randn = (size: number) => Float32Array.from({ length: size }, () => random.normal());

function naiveAttention(q: Float32Array, k: Float32Array, v: Float32Array, [b, lq, lk, d, dv]: number[], scale: number, causal: boolean): Float64Array {
  const out = new Float64Array(b * lq * dv);
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < lq; i++) {
      const scores: number[] = [];
      for (let j = 0; j < lk; j++) {
        let dot = 0;
        for (let c = 0; c < d; c++) dot += q[(n * lq + i) * d + c]! * k[(n * lk + j) * d + c]!;
        scores.push(causal && j > i ? -Infinity : dot * scale);
      }
      const max = Math.max(...scores);
      const weights = scores.map((s) => Math.exp(s - max));
      const total = weights.reduce((a, w) => a + w, 0);
      for (let c = 0; c < dv; c++) {
        let sum = 0;
        for (let j = 0; j < lk; j++) sum += (weights[j]! / total) * v[(n * lk + j) * dv + c]!;
        out[(n * lq + i) * dv + c] = sum;
      }
    }
  }
  return out;
}

function maxDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}

describe('scaledDotProductAttention', () => {
  const [b, lq, lk, d, dv] = [3, 7, 5, 4, 6];

  it('matches softmax(scale·q·kᵀ)·v for cross-attention shapes (Lq ≠ Lk, Dv ≠ D), default scale 1/√D', () => {
    const [q, k, v] = [randn(b * lq * d), randn(b * lk * d), randn(b * lk * dv)];
    const out = scaledDotProductAttention(tf.tensor3d(q, [b, lq, d]), tf.tensor3d(k, [b, lk, d]), tf.tensor3d(v, [b, lk, dv]));
    expect(out.shape).toEqual([b, lq, dv]);
    expect(maxDiff(out.dataSync(), naiveAttention(q, k, v, [b, lq, lk, d, dv], 1 / Math.sqrt(d), false))).toBeLessThan(TOLERANCE);
  });

  it('with causal, query i sees only keys j ≤ i', () => {
    const l = 6;
    const [q, k, v] = [randn(b * l * d), randn(b * l * d), randn(b * l * dv)];
    const out = scaledDotProductAttention(tf.tensor3d(q, [b, l, d]), tf.tensor3d(k, [b, l, d]), tf.tensor3d(v, [b, l, dv]), { causal: true, scale: 0.3 });
    expect(maxDiff(out.dataSync(), naiveAttention(q, k, v, [b, l, l, d, dv], 0.3, true))).toBeLessThan(TOLERANCE);
  });

  it('chunked over queries gives the plain numbers and the plain gradients, for every chunk size', () => {
    const l = 9;
    const q = tf.tensor3d(randn(b * l * d), [b, l, d]);
    const k = tf.tensor3d(randn(b * l * d), [b, l, d]);
    const v = tf.tensor3d(randn(b * l * dv), [b, l, dv]);
    const weights = tf.tensor3d(randn(b * l * dv), [b, l, dv]);
    for (const causal of [false, true]) {
      const loss = (chunk: number | undefined) => (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) =>
        tf.sum(tf.mul(scaledDotProductAttention(qq as tf.Tensor3D, kk as tf.Tensor3D, vv as tf.Tensor3D, { causal, queryChunkSize: chunk }), weights));
      const plain = scaledDotProductAttention(q, k, v, { causal }).dataSync();
      const plainGrads = tf.grads(loss(undefined))([q, k, v]).map((g) => g.dataSync());
      for (const chunk of [1, 2, 4, 5, 9, 20]) {
        const chunked = scaledDotProductAttention(q, k, v, { causal, queryChunkSize: chunk }).dataSync();
        expect(maxDiff(chunked, plain), `causal ${causal}, chunk ${chunk}`).toBeLessThanOrEqual(1e-6);
        const grads = tf.grads(loss(chunk))([q, k, v]).map((g) => g.dataSync());
        grads.forEach((g, i) => expect(maxDiff(g, plainGrads[i]!), `grad ${i}, causal ${causal}, chunk ${chunk}`).toBeLessThanOrEqual(1e-6));
      }
    }
  });

  it('runs forward and backward without Einsum or StridedSlice kernels (no gradient for them in tfjs-core 4.22)', async () => {
    const l = 8;
    const q = tf.tensor3d(randn(b * l * d), [b, l, d]);
    const profile = await tf.profile(() => {
      tf.grads((qq: tf.Tensor) => tf.sum(scaledDotProductAttention(qq as tf.Tensor3D, q, q, { causal: true, queryChunkSize: 3 })))([q]);
    });
    expect(profile.kernelNames).toContain('BatchMatMul');
    expect(profile.kernelNames).not.toContain('Einsum');
    expect(profile.kernelNames).not.toContain('StridedSlice');
  });

  it('rejects shapes that do not fit', () => {
    expect(() => scaledDotProductAttention(tf.zeros([1, 2, 3]), tf.zeros([1, 2, 4]), tf.zeros([1, 2, 3]))).toThrow(RangeError);
  });
});

describe('splitHeads / mergeHeads', () => {
  it('splitHeads puts head h of batch n at n·heads + h, channels h·D..(h+1)·D−1; mergeHeads inverts it', () => {
    const [batch, length, heads, depth] = [2, 3, 4, 5];
    const x = randn(batch * length * heads * depth);
    const split = splitHeads(tf.tensor3d(x, [batch, length, heads * depth]), heads);
    expect(split.shape).toEqual([batch * heads, length, depth]);
    const values = split.dataSync();
    for (let n = 0; n < batch; n++) {
      for (let h = 0; h < heads; h++) {
        for (let t = 0; t < length; t++) {
          for (let c = 0; c < depth; c++) {
            expect(values[((n * heads + h) * length + t) * depth + c]).toBe(x[(n * length + t) * heads * depth + h * depth + c]);
          }
        }
      }
    }
    expect(Array.from(mergeHeads(split, heads).dataSync())).toEqual(Array.from(x));
  });
});
