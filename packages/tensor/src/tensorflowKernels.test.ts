// The kernel set the wasm replacement tests cover, on the tensorflow backend (a linked libtensorflow or
// @tensorflow/tfjs-node), against float64 definitions and the cpu backend's stock kernels.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { groupNorm } from './groupNorm.js';
import { checkpoint } from './checkpoint.js';
import { registerTensorflowKernels, unregisterTensorflowKernels } from './registerTensorflowKernels.js';
import {
  maxAbs,
  maxAbsDiff,
  naiveConvFilterGrad,
  naiveConvInputGrad,
  naiveMatMul,
  resizeNearestGradReference,
  seeded,
  valuesOn,
} from './testing/reference.js';
import { setupTensorflow } from './testing/setupTensorflow.js';

const report = await setupTensorflow();
const title = report === undefined ? 'tensorflow backend kernels — NOT RUN: no linked TensorFlow build (see the message above)' : `tensorflow backend kernels (${report.summary.split(' — ')[0]})`;

type Pad = 'same' | 'valid' | number | [number, number, number, number];
type Shape4 = [number, number, number, number];
const CONV_CASES: Array<{ name: string; x: Shape4; k: [number, number]; co: number; stride: number; pad: Pad }> = [
  { name: '3x3 stride 1 same', x: [2, 6, 7, 3], k: [3, 3], co: 4, stride: 1, pad: 'same' },
  { name: '3x3 stride 1 valid', x: [1, 6, 6, 2], k: [3, 3], co: 5, stride: 1, pad: 'valid' },
  { name: '3x3 stride 1 numeric pad 1 (PyTorch padding=1)', x: [2, 5, 5, 3], k: [3, 3], co: 2, stride: 1, pad: 1 },
  { name: '3x3 stride 1 explicit pad 1', x: [2, 5, 5, 3], k: [3, 3], co: 2, stride: 1, pad: [1, 1, 1, 1] },
  { name: '3x3 stride 2 same (odd size)', x: [2, 7, 9, 3], k: [3, 3], co: 4, stride: 2, pad: 'same' },
  { name: '3x3 stride 2 valid', x: [1, 8, 8, 2], k: [3, 3], co: 3, stride: 2, pad: 'valid' },
  { name: '3x3 stride 2 explicit pad 1 (PyTorch downsample)', x: [2, 8, 8, 4], k: [3, 3], co: 4, stride: 2, pad: [1, 1, 1, 1] },
  { name: '3x3 stride 2 asymmetric explicit pad', x: [1, 6, 7, 2], k: [3, 3], co: 3, stride: 2, pad: [0, 1, 2, 0] },
  { name: '1x1 stride 1', x: [2, 5, 4, 6], k: [1, 1], co: 3, stride: 1, pad: 'valid' },
  { name: '1x1 stride 2', x: [2, 5, 5, 3], k: [1, 1], co: 2, stride: 2, pad: 'same' },
  { name: '2x3 kernel stride 1 same', x: [1, 5, 6, 2], k: [2, 3], co: 3, stride: 1, pad: 'same' },
];

const tfPad = (pad: Pad): 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]] =>
  Array.isArray(pad) ? [[0, 0], [pad[0], pad[1]], [pad[2], pad[3]], [0, 0]] : pad;
const refPad = (pad: Pad): 'same' | 'valid' | [number, number, number, number] => (typeof pad === 'number' ? [pad, pad, pad, pad] : pad);
const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

/** Runs `kernel` straight through the engine on `backend` and returns its values. */
async function kernelOn(backend: string, kernel: string, inputs: () => tf.NamedTensorMap, attrs: object): Promise<Float32Array> {
  const [values] = await valuesOn(backend, () => tf.engine().runKernel(kernel, inputs(), attrs as never) as tf.Tensor);
  return values!;
}

// Tolerances: float32 sums of at most a few hundred products of values in [-1, 1), in another order
// than the float64 definitions (oneDNN blocks them differently again): 1e-4 relative to the largest |value|.
const REL_TOL = 1e-4;

describe.skipIf(report === undefined)(title, () => {
  it("runs on this process's tfjs-core: tfjs-node's backend is an instance of its KernelBackend class", async () => {
    await tf.setBackend('tensorflow');
    // why: a second tfjs-core would bring its own KernelBackend class (the engine alone, kept on globalThis, would not tell).
    expect(tf.backend()).toBeInstanceOf(tf.KernelBackend);
    expect((tf.backend() as unknown as { binding: { TF_Version: string } }).binding.TF_Version).toBe(report?.tensorflow?.version);
  });

  for (const c of CONV_CASES) {
    it(`conv ${c.name}: forward, Conv2DBackpropInput and Conv2DBackpropFilter match the definition and cpu`, async () => {
      const probe = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([...c.k, c.x[3], c.co]) as tf.Tensor4D, c.stride, tfPad(c.pad)).shape);
      const dyShape = probe as Shape4;
      const wShape: Shape4 = [...c.k, c.x[3], c.co];
      const x = seeded(size(c.x), 11);
      const w = seeded(size(wShape), 13);
      const dy = seeded(size(dyShape), 12);
      const attrs = { strides: c.stride, pad: tfPad(c.pad), dataFormat: 'NHWC' };

      const forward = (): tf.Tensor => tf.conv2d(tf.tensor4d(x, c.x), tf.tensor4d(w, wShape), c.stride, tfPad(c.pad));
      const [fwdTf] = await valuesOn('tensorflow', forward);
      const [fwdCpu] = await valuesOn('cpu', forward);
      expect(maxAbsDiff(fwdTf!, fwdCpu!)).toBeLessThanOrEqual(REL_TOL * Math.max(1, maxAbs(fwdCpu!)));

      const dxInputs = (): tf.NamedTensorMap => ({ dy: tf.tensor4d(dy, dyShape), filter: tf.tensor4d(w, wShape) });
      const dxRef = naiveConvInputGrad(c.x, w, c.k, c.co, dy, c.stride, refPad(c.pad));
      const dxTf = await kernelOn('tensorflow', 'Conv2DBackpropInput', dxInputs, { ...attrs, inputShape: c.x });
      const dxCpu = await kernelOn('cpu', 'Conv2DBackpropInput', dxInputs, { ...attrs, inputShape: c.x });
      expect(maxAbsDiff(dxTf, dxRef)).toBeLessThanOrEqual(REL_TOL * Math.max(1, maxAbs(dxRef)));
      expect(maxAbsDiff(dxTf, dxCpu)).toBeLessThanOrEqual(REL_TOL * Math.max(1, maxAbs(dxRef)));

      const dwInputs = (): tf.NamedTensorMap => ({ x: tf.tensor4d(x, c.x), dy: tf.tensor4d(dy, dyShape) });
      const dwRef = naiveConvFilterGrad(x, c.x, dy, c.k, c.co, c.stride, refPad(c.pad));
      const dwTf = await kernelOn('tensorflow', 'Conv2DBackpropFilter', dwInputs, { ...attrs, filterShape: wShape });
      const dwCpu = await kernelOn('cpu', 'Conv2DBackpropFilter', dwInputs, { ...attrs, filterShape: wShape });
      expect(maxAbsDiff(dwTf, dwRef)).toBeLessThanOrEqual(REL_TOL * Math.max(1, maxAbs(dwRef)));
      expect(maxAbsDiff(dwTf, dwCpu)).toBeLessThanOrEqual(REL_TOL * Math.max(1, maxAbs(dwRef)));
    });
  }

  it('tf.grads of a stride-2 conv with PyTorch padding (explicit pairs) matches cpu: the SDXL downsampler', async () => {
    const run = (): tf.Tensor[] =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]))))([
        tf.tensor4d(seeded(2 * 8 * 8 * 4, 3), [2, 8, 8, 4]),
        tf.tensor4d(seeded(9 * 16, 4), [3, 3, 4, 4]),
      ]);
    const tfv = await valuesOn('tensorflow', run);
    const cpu = await valuesOn('cpu', run);
    for (let i = 0; i < 2; i++) expect(maxAbsDiff(tfv[i]!, cpu[i]!)).toBeLessThanOrEqual(REL_TOL * Math.max(1, maxAbs(cpu[i]!)));
  });

  for (const activation of ['linear', 'relu', 'sigmoid'] as const) {
    it(`fused conv2d with a numeric pad, bias and ${activation} matches cpu`, async () => {
      const run = (): tf.Tensor =>
        tf.fused.conv2d({
          x: tf.tensor4d(seeded(2 * 6 * 6 * 3, 5), [2, 6, 6, 3]),
          filter: tf.tensor4d(seeded(9 * 3 * 4, 6), [3, 3, 3, 4]),
          strides: 2,
          pad: 1,
          bias: tf.tensor1d(seeded(4, 7)),
          activation,
        });
      const [tfv] = await valuesOn('tensorflow', run);
      const [cpu] = await valuesOn('cpu', run);
      expect(maxAbsDiff(tfv!, cpu!)).toBeLessThanOrEqual(REL_TOL * Math.max(1, maxAbs(cpu!)));
    });
  }

  for (const [a, b] of [
    [[5, 7], [7, 3]],
    [[3, 5, 7], [3, 7, 4]],
    [[3, 5, 7], [1, 7, 4]],
    [[5, 7], [3, 7, 4]],
    [[2, 1, 5, 7], [1, 3, 7, 4]],
    [[2, 4, 6, 8], [2, 4, 8, 6]],
  ] as Array<[number[], number[]]>) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const sw = (s: number[], t: boolean): number[] => (t ? [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!] : s);
        const [as, bs] = [sw(a, ta), sw(b, tb)];
        it(`batch matmul [${as}]${ta ? 'ᵀ' : ''} · [${bs}]${tb ? 'ᵀ' : ''} matches the definition`, async () => {
          const av = seeded(size(as), 31);
          const bv = seeded(size(bs), 32);
          const ref = naiveMatMul(av, as, bv, bs, ta, tb);
          const [out] = await valuesOn('tensorflow', () => tf.matMul(tf.tensor(av, as), tf.tensor(bv, bs), ta, tb));
          expect(tf.tidy(() => tf.matMul(tf.tensor(av, as), tf.tensor(bv, bs), ta, tb).shape)).toEqual(ref.shape);
          expect(maxAbsDiff(out!, ref.values)).toBeLessThanOrEqual(1e-5 * Math.max(1, maxAbs(ref.values)));
        });
      }
    }
  }

  it('gives a linear layer the same gradients as cpu (dX = dY·Wᵀ, dW = Xᵀ·dY), fused bias + relu included', async () => {
    const run = (): tf.Tensor[] =>
      tf.grads((xt: tf.Tensor, wt: tf.Tensor, bt: tf.Tensor) =>
        tf.sum(tf.square(tf.fused.matMul({ a: tf.reshape(xt, [12, 8]) as tf.Tensor2D, b: wt as tf.Tensor2D, bias: bt, activation: 'relu' }))),
      )([tf.tensor3d(seeded(2 * 6 * 8, 51), [2, 6, 8]), tf.tensor2d(seeded(8 * 5, 52), [8, 5]), tf.tensor1d(seeded(5, 53))]);
    const cpu = await valuesOn('cpu', run);
    const tfv = await valuesOn('tensorflow', run);
    for (let i = 0; i < 3; i++) expect(maxAbsDiff(tfv[i]!, cpu[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, maxAbs(cpu[i]!)));
  });

  for (const k of [
    { n: 2, h: 3, w: 4, c: 2, size: [6, 8] as [number, number], ac: false, hp: false },
    { n: 3, h: 2, w: 2, c: 3, size: [4, 4] as [number, number], ac: false, hp: true },
    { n: 2, h: 3, w: 5, c: 1, size: [7, 9] as [number, number], ac: true, hp: false },
    { n: 1, h: 5, w: 5, c: 2, size: [3, 2] as [number, number], ac: false, hp: true },
    { n: 2, h: 3, w: 4, c: 2, size: [7, 6] as [number, number], ac: false, hp: true },
    { n: 2, h: 6, w: 5, c: 3, size: [4, 3] as [number, number], ac: false, hp: false },
    { n: 1, h: 4, w: 4, c: 1, size: [9, 10] as [number, number], ac: true, hp: false },
  ]) {
    it(`resizeNearestNeighbor gradient, batch ${k.n} ${k.h}x${k.w} → ${k.size.join('x')} (alignCorners ${k.ac}, halfPixelCenters ${k.hp}), is the adjoint of the forward`, async () => {
      const x = seeded(k.n * k.h * k.w * k.c, 1);
      const dy = seeded(k.n * k.size[0] * k.size[1] * k.c, 2);
      const ref = await resizeNearestGradReference(k.n, k.h, k.w, k.c, k.size, k.ac, k.hp, dy);
      const [g] = await valuesOn('tensorflow', () =>
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, k.size, k.ac, k.hp), tf.tensor4d(dy, [k.n, ...k.size, k.c]))))(
          tf.tensor4d(x, [k.n, k.h, k.w, k.c]),
        ),
      );
      expect(maxAbsDiff(g!, ref)).toBeLessThanOrEqual(1e-6);
    });
  }

  it("replaces a real bug: TensorFlow's own kernel misroutes a half-pixel 5→3 gradient", async () => {
    const dy = seeded(3 * 1, 2);
    const run = (): tf.Tensor => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [3, 1], false, true), tf.tensor4d(dy, [1, 3, 1, 1]))))(tf.zeros([1, 5, 1, 1]));
    const ref = await resizeNearestGradReference(1, 5, 1, 1, [3, 1], false, true, dy);
    unregisterTensorflowKernels();
    try {
      const [stock] = await valuesOn('tensorflow', run);
      expect(maxAbsDiff(stock!, ref)).toBeGreaterThan(0.1);
    } finally {
      registerTensorflowKernels();
    }
    const [fixed] = await valuesOn('tensorflow', run);
    expect(maxAbsDiff(fixed!, ref)).toBeLessThanOrEqual(1e-6);
  });

  it('slices (leading, inner and strided windows) exactly as cpu', async () => {
    const x = seeded(16 * 12 * 10, 9);
    const run = (): tf.Tensor[] => {
      const t = tf.tensor3d(x, [16, 12, 10]);
      return [tf.slice(t, [5, 0, 0], [1, 12, 10]), tf.slice(t, [0, 3, 2], [16, 6, 5]), tf.stridedSlice(t, [1, 0, 1], [16, 12, 10], [2, 3, 2])];
    };
    const tfv = await valuesOn('tensorflow', run);
    const cpu = await valuesOn('cpu', run);
    for (let i = 0; i < 3; i++) expect(Array.from(tfv[i]!)).toEqual(Array.from(cpu[i]!));
  });

  it('unsortedSegmentSum matches cpu, dropping ids outside [0, numSegments) as cpu and wasm do', async () => {
    const x = seeded(10 * 3, 21);
    const run = (ids: number[]) => (): tf.Tensor => tf.unsortedSegmentSum(tf.tensor2d(x, [10, 3]), tf.tensor1d(ids, 'int32'), 5);
    for (const ids of [[0, 1, 1, 4, 2, 0, 3, 3, 4, 2], [0, 7, 2, -1, 4, 5, 1, 9, 3, 0]]) {
      const [tfv] = await valuesOn('tensorflow', run(ids));
      const [cpu] = await valuesOn('cpu', run(ids));
      expect(maxAbsDiff(tfv!, cpu!)).toBeLessThanOrEqual(1e-6);
    }
    const grad = (): tf.Tensor => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor1d([0, 2, 2, 5], 'int32')), tf.tensor2d(seeded(12, 22), [4, 3]))))(tf.tensor2d(x.slice(0, 18), [6, 3]));
    const [gTf] = await valuesOn('tensorflow', grad);
    const [gCpu] = await valuesOn('cpu', grad);
    expect(maxAbsDiff(gTf!, gCpu!)).toBeLessThanOrEqual(1e-6);
  });

  it('groupNorm forward and gradients match cpu', async () => {
    const shape: Shape4 = [2, 6, 5, 8];
    const run = (): tf.Tensor[] => {
      const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor =>
        tf.sum(tf.mul(groupNorm(x as tf.Tensor4D, 4, g as tf.Tensor1D, b as tf.Tensor1D), tf.tensor4d(seeded(size(shape), 43), shape)));
      const args = [tf.tensor4d(seeded(size(shape), 40).map((v) => 2 * v + 0.5), shape), tf.tensor1d(seeded(8, 41)), tf.tensor1d(seeded(8, 42))];
      return [groupNorm(args[0] as tf.Tensor4D, 4, args[1] as tf.Tensor1D, args[2] as tf.Tensor1D), ...tf.grads(f)(args)];
    };
    const tfv = await valuesOn('tensorflow', run);
    const cpu = await valuesOn('cpu', run);
    for (let i = 0; i < 4; i++) expect(maxAbsDiff(tfv[i]!, cpu[i]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, maxAbs(cpu[i]!)));
  });

  it('checkpoint gives the plain gradients and frees what it recomputes, with the intermediates off the peak', async () => {
    await tf.setBackend('tensorflow');
    const block = (x: tf.Tensor, w: tf.Tensor): tf.Tensor => {
      const h = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
      return tf.add(x, tf.mul(h, tf.sigmoid(h)));
    };
    const x = tf.tensor4d(seeded(2 * 16 * 16 * 8, 1), [2, 16, 16, 8]);
    const ws = [0, 1, 2, 3].map((i) => tf.variable(tf.tensor4d(seeded(9 * 64, 10 + i).map((v) => v / 24), [3, 3, 8, 8])));
    const before = tf.memory().numTensors;
    const measure = async (f: (x: tf.Tensor, w: tf.Tensor) => tf.Tensor): Promise<{ grads: Float32Array[]; peak: number }> => {
      let grads: Float32Array[] = [];
      const start = tf.memory().numBytes;
      const info = await tf.profile(() => {
        const { value, grads: g } = tf.variableGrads(() => {
          let h: tf.Tensor = x;
          for (const w of ws) h = f(h, w);
          return tf.mean(tf.square(h)) as tf.Scalar;
        }, ws);
        grads = ws.map((w) => Float32Array.from(g[w.name]!.dataSync()));
        tf.dispose([value, ...Object.values(g)]);
      });
      return { grads, peak: info.peakBytes - start };
    };
    const plain = await measure(block);
    const ck = await measure(checkpoint(block as (...t: tf.Tensor[]) => tf.Tensor));
    for (let i = 0; i < ws.length; i++) expect(maxAbsDiff(ck.grads[i]!, plain.grads[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, maxAbs(plain.grads[i]!)));
    expect(ck.peak).toBeLessThan(plain.peak);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, ...ws]);
  });

  it('reads data asynchronously and frees tensors with tf.dispose', async () => {
    await tf.setBackend('tensorflow');
    const before = tf.memory();
    const t = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const product = tf.matMul(t, t);
    expect(Array.from(await product.data())).toEqual([7, 10, 15, 22]);
    expect(tf.memory().numTensors).toBe(before.numTensors + 2);
    tf.dispose([t, product]);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});
