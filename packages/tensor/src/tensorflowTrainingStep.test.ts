// A small conv-net training step on the tensorflow backend: the same gradients as cpu, and a flat
// tf.memory() over 50 Adam steps (tensorflow keeps tensors in libtensorflow, freed by tf.dispose/tidy).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { registerCpuKernels } from './registerCpuKernels.js';
import { maxAbs, maxAbsDiff, seeded, valuesOn } from './testing/reference.js';
import { setupTensorflow } from './testing/setupTensorflow.js';
import { TINY_NET_SHAPES, tinyNet, tinyNetInit } from './testing/tinyNet.js';

const report = await setupTensorflow();
const title = report === undefined ? 'a training step on tensorflow — NOT RUN: no linked TensorFlow build (see the message above)' : 'a training step on tensorflow';

describe.skipIf(report === undefined)(title, () => {
  it('gives the same loss and variableGrads as cpu for the conv + GroupNorm + linear + upsample net', async () => {
    const init = tinyNetInit();
    const run = (): tf.Tensor[] => {
      const params = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, tf.tensor(v, TINY_NET_SHAPES[k])]));
      const x = tf.tensor4d(seeded(2 * 8 * 8 * 4, 1), [2, 8, 8, 4]);
      const target = tf.tensor4d(seeded(2 * 8 * 8 * 4, 2), [2, 8, 8, 4]);
      const names = Object.keys(params);
      const { value, grads } = tf.valueAndGrads((...ps: tf.Tensor[]) =>
        tf.mean(tf.square(tf.sub(tinyNet(x, Object.fromEntries(names.map((n, i) => [n, ps[i]!]))), target))) as tf.Scalar,
      )(names.map((n) => params[n]!));
      return [value, ...grads];
    };
    // why: the stock cpu ResizeNearestNeighborGrad is wrong for batch > 1; the fixed one is the reference.
    registerCpuKernels();
    const cpu = await valuesOn('cpu', run);
    const tfv = await valuesOn('tensorflow', run);
    // Tolerance: float32 through ~10 layers and their backward, summed in other orders: 1e-4 relative.
    for (let i = 0; i < cpu.length; i++) expect(maxAbsDiff(tfv[i]!, cpu[i]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, maxAbs(cpu[i]!)));
  });

  it('keeps tf.memory() flat over 50 steps of forward, variableGrads and Adam, and trains', async () => {
    await tf.setBackend('tensorflow');
    const vars = Object.fromEntries(Object.entries(tinyNetInit()).map(([k, v]) => [k, tf.variable(tf.tensor(v, TINY_NET_SHAPES[k]), true, `tfstep_${k}`)]));
    const x = tf.tensor4d(seeded(2 * 8 * 8 * 4, 1), [2, 8, 8, 4]);
    const target = tf.tensor4d(seeded(2 * 8 * 8 * 4, 2), [2, 8, 8, 4]);
    const optimizer = tf.train.adam(1e-2);
    const counts: number[] = [];
    const bytes: number[] = [];
    const losses: number[] = [];
    for (let step = 0; step < 50; step++) {
      const loss = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(tinyNet(x, vars), target))) as tf.Scalar);
        optimizer.applyGradients(grads as tf.NamedTensorMap as Record<string, tf.Variable>);
        return value;
      });
      losses.push((await loss.data())[0]!);
      loss.dispose();
      counts.push(tf.memory().numTensors);
      bytes.push(tf.memory().numBytes);
    }
    // Adam creates its two moments per variable on the first step; from then on nothing may accumulate.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(new Set(bytes.slice(1)).size).toBe(1);
    expect(counts[1]).toBe(counts[0]);
    expect(losses[49]!).toBeLessThan(0.9 * losses[0]!);
    optimizer.dispose();
    tf.dispose([x, target, ...Object.values(vars)]);
  });
});
