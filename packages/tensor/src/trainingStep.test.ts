import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { seeded } from './testing/reference.js';
import { setupWasm } from './testing/setupWasm.js';
import { TINY_NET_SHAPES, tinyNet, tinyNetInit } from './testing/tinyNet.js';

describe('a training step on wasm', () => {
  beforeAll(setupWasm);

  it('keeps tf.memory() flat over 50 steps of forward, variableGrads and Adam', async () => {
    await tf.setBackend('wasm');
    const vars = Object.fromEntries(Object.entries(tinyNetInit()).map(([k, v]) => [k, tf.variable(tf.tensor(v, TINY_NET_SHAPES[k]), true, `step_${k}`)]));
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
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
      counts.push(tf.memory().numTensors);
      bytes.push(tf.memory().numBytes);
    }
    // Adam creates its two moments per variable on the first step; from then on nothing may accumulate.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(new Set(bytes.slice(1)).size).toBe(1);
    expect(counts[1]).toBe(counts[0]);
    // And it is training: the loss went down.
    expect(losses[49]!).toBeLessThan(0.9 * losses[0]!);
    optimizer.dispose();
    tf.dispose([x, target, ...Object.values(vars)]);
  });
});
