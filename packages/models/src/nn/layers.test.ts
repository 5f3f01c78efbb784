import '@tensorflow/tfjs-backend-cpu';
// why: tfjs-core's Node entry registers no gradients; its ES build's registry is shared (see @sdxl-trainer/tensor registerGradients).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from './Conv2d.js';
import { Embedding } from './Embedding.js';
import { GroupNorm } from './GroupNorm.js';
import { LayerNorm } from './LayerNorm.js';
import { Linear } from './Linear.js';
import { Rng, setTestBackend } from '@sdxl-trainer/tensor';

// Naive float64 loops written from the PyTorch definitions (torch.nn docs) are the reference; tolerance 1e-5 absolute
// (float32 sums of at most a few hundred O(1) terms).
const TOLERANCE = 1e-5;

beforeAll(async () => {
  await setTestBackend();
});

const random = Rng.fromSeed(2024);
const randn = (size: number) => Float32Array.from({ length: size }, () => random.normal());

function maxDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}

describe('Linear', () => {
  it('computes x·Wᵀ + b from PyTorch-layout weights on a rank-3 input', () => {
    const [batch, length, inF, outF] = [2, 3, 5, 4];
    const weight = randn(outF * inF);
    const bias = randn(outF);
    const x = randn(batch * length * inF);
    const layer = new Linear(inF, outF).loadStateDict({ weight: { shape: [outF, inF], data: weight }, bias: { shape: [outF], data: bias } });
    const y = layer.forward(tf.tensor3d(x, [batch, length, inF]));
    expect(y.shape).toEqual([batch, length, outF]);
    const expected = new Float64Array(batch * length * outF);
    for (let r = 0; r < batch * length; r++) {
      for (let o = 0; o < outF; o++) {
        let sum = bias[o]!;
        for (let i = 0; i < inF; i++) sum += x[r * inF + i]! * weight[o * inF + i]!;
        expected[r * outF + o] = sum;
      }
    }
    expect(maxDiff(y.dataSync(), expected)).toBeLessThan(TOLERANCE);
    layer.dispose();
  });

  it('has a working weight gradient for a rank-3 input: d(sum y)/dW[i, o] = sum of x[..., i]', () => {
    const layer = new Linear(3, 2, { bias: false }).initialize(1);
    const x = tf.tensor3d(randn(2 * 4 * 3), [2, 4, 3]);
    const { grads } = tf.variableGrads(() => tf.sum(layer.forward(x)) as tf.Scalar, [layer.weight.value]);
    const gradient = grads[layer.weight.value.name]!.dataSync();
    const xs = x.dataSync();
    for (let i = 0; i < 3; i++) {
      let expected = 0;
      for (let r = 0; r < 8; r++) expected += xs[r * 3 + i]!;
      // compute layout [in, out]: both output columns get the same gradient
      expect(Math.abs(gradient[i * 2]! - expected)).toBeLessThan(TOLERANCE);
      expect(Math.abs(gradient[i * 2 + 1]! - expected)).toBeLessThan(TOLERANCE);
    }
    layer.dispose();
  });
});

describe('LayerNorm', () => {
  it('normalises the last axis with the biased variance, then weight and bias', () => {
    const [rows, width, eps] = [6, 7, 1e-5];
    const x = randn(rows * width).map((v) => v * 3 + 1);
    const weight = randn(width);
    const bias = randn(width);
    const layer = new LayerNorm(width, { eps }).loadStateDict({ weight: { shape: [width], data: weight }, bias: { shape: [width], data: bias } });
    const y = layer.forward(tf.tensor2d(x, [rows, width])).dataSync();
    const expected = new Float64Array(rows * width);
    for (let r = 0; r < rows; r++) {
      const row = Array.from(x.subarray(r * width, (r + 1) * width));
      const mean = row.reduce((a, b) => a + b, 0) / width;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / width;
      row.forEach((v, c) => (expected[r * width + c] = ((v - mean) / Math.sqrt(variance + eps)) * weight[c]! + bias[c]!));
    }
    expect(maxDiff(y, expected)).toBeLessThan(TOLERANCE);
    layer.dispose();
  });
});

describe('Embedding', () => {
  it('picks rows of the table by id', () => {
    const table = randn(10 * 3);
    const layer = new Embedding(10, 3).loadStateDict({ weight: { shape: [10, 3], data: table } });
    const y = layer.forward(tf.tensor2d([7, 0, 9, 7], [2, 2], 'int32'));
    expect(y.shape).toEqual([2, 2, 3]);
    const expected = [7, 0, 9, 7].flatMap((id) => Array.from(table.subarray(id * 3, id * 3 + 3)));
    expect(maxDiff(y.dataSync(), expected)).toBe(0);
    layer.dispose();
  });
});

/** torch.nn.functional.conv2d on an NHWC array with an OIHW weight: out[n,y,x,o] = b[o] + Σ w[o,c,i,j]·in[n, y·s−p+i, x·s−p+j, c]. */
function naiveConv(
  x: Float32Array,
  [n, h, w, cin]: number[],
  weight: Float32Array,
  [cout, kh, kw]: number[],
  bias: Float32Array | null,
  [sh, sw]: number[],
  [ph, pw]: number[],
): { data: Float64Array; shape: number[] } {
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  const out = new Float64Array(n * oh * ow * cout);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        for (let o = 0; o < cout; o++) {
          let sum = bias === null ? 0 : bias[o]!;
          for (let c = 0; c < cin; c++) {
            for (let i = 0; i < kh; i++) {
              for (let j = 0; j < kw; j++) {
                const iy = y * sh - ph + i;
                const ix = xx * sw - pw + j;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                sum += weight[((o * cin + c) * kh + i) * kw + j]! * x[((b * h + iy) * w + ix) * cin + c]!;
              }
            }
          }
          out[((b * oh + y) * ow + xx) * cout + o] = sum;
        }
      }
    }
  }
  return { data: out, shape: [n, oh, ow, cout] };
}

describe('Conv2d', () => {
  const cases: { name: string; size: [number, number]; kernel: [number, number]; stride: [number, number]; padding: [number, number]; bias: boolean }[] = [
    { name: '3x3 stride 1 padding 1', size: [6, 5], kernel: [3, 3], stride: [1, 1], padding: [1, 1], bias: true },
    { name: '3x3 stride 2 padding 1 on an even size (diffusers Downsample2D)', size: [8, 8], kernel: [3, 3], stride: [2, 2], padding: [1, 1], bias: true },
    { name: '3x3 stride 2 padding 1 on an odd size', size: [7, 9], kernel: [3, 3], stride: [2, 2], padding: [1, 1], bias: true },
    { name: '1x1 without bias', size: [4, 4], kernel: [1, 1], stride: [1, 1], padding: [0, 0], bias: false },
    { name: '3x1 kernel, padding (1, 0), stride 2 padding 0 width', size: [5, 6], kernel: [3, 1], stride: [1, 2], padding: [1, 0], bias: true },
  ];
  for (const c of cases) {
    it(`matches PyTorch's definition: ${c.name}`, () => {
      const [cin, cout, batch] = [3, 4, 2];
      const weight = randn(cout * cin * c.kernel[0] * c.kernel[1]);
      const bias = c.bias ? randn(cout) : null;
      const x = randn(batch * c.size[0] * c.size[1] * cin);
      const conv = new Conv2d(cin, cout, c.kernel, { stride: c.stride, padding: c.padding, bias: c.bias });
      const state: Record<string, { shape: number[]; data: Float32Array }> = { weight: { shape: [cout, cin, ...c.kernel], data: weight } };
      if (bias !== null) state.bias = { shape: [cout], data: bias };
      conv.loadStateDict(state);
      const y = conv.forward(tf.tensor4d(x, [batch, c.size[0], c.size[1], cin]));
      const expected = naiveConv(x, [batch, ...c.size, cin], weight, [cout, ...c.kernel], bias, c.stride, c.padding);
      expect(y.shape).toEqual(expected.shape);
      expect(maxDiff(y.dataSync(), expected.data)).toBeLessThan(TOLERANCE);
      conv.dispose();
    });
  }
});

describe('GroupNorm', () => {
  it('normalises each group over positions and its channels (NHWC and [N, L, C]), then the per-channel affine', () => {
    const [groups, channels, eps] = [3, 6, 1e-6];
    const weight = randn(channels);
    const bias = randn(channels);
    const norm = new GroupNorm(groups, channels, { eps }).loadStateDict({ weight: { shape: [channels], data: weight }, bias: { shape: [channels], data: bias } });
    for (const shape of [
      [2, 4, 5, channels],
      [2, 7, channels],
    ]) {
      const [batch] = shape as [number];
      const positions = shape.slice(1, -1).reduce((a, b) => a * b, 1);
      const x = randn(shape.reduce((a, b) => a * b, 1)).map((v) => v * 2 - 0.5);
      const y = norm.forward(tf.tensor(x, shape)).dataSync();
      const expected = new Float64Array(x.length);
      const per = channels / groups;
      for (let b = 0; b < batch; b++) {
        for (let g = 0; g < groups; g++) {
          const index = (p: number, c: number) => (b * positions + p) * channels + g * per + c;
          let sum = 0;
          for (let p = 0; p < positions; p++) for (let c = 0; c < per; c++) sum += x[index(p, c)]!;
          const mean = sum / (positions * per);
          let squares = 0;
          for (let p = 0; p < positions; p++) for (let c = 0; c < per; c++) squares += (x[index(p, c)]! - mean) ** 2;
          const std = Math.sqrt(squares / (positions * per) + eps);
          for (let p = 0; p < positions; p++) {
            for (let c = 0; c < per; c++) expected[index(p, c)] = ((x[index(p, c)]! - mean) / std) * weight[g * per + c]! + bias[g * per + c]!;
          }
        }
      }
      expect(maxDiff(y, expected)).toBeLessThan(TOLERANCE);
    }
    norm.dispose();
  });

  it('refuses channels that do not split into the groups', () => {
    expect(() => new GroupNorm(4, 6)).toThrow(RangeError);
  });
});
