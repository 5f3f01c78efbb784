import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from './AdamW.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const settings = { beta1: 0.9, beta2: 0.999, weightDecay: 0.01, epsilon: 1e-8 };

/**
 * torch.optim.AdamW written out in float64 (torch 1.13 `_single_tensor_adamw`):
 * p *= 1 - lr*wd; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g*g;
 * p -= (lr / (1 - b1^k)) * m / (sqrt(v) / sqrt(1 - b2^k) + eps)
 */
function referenceAdamW(params: number[], gradsPerStep: number[][], lrs: number[]): number[] {
  const p = [...params];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  gradsPerStep.forEach((grads, index) => {
    const k = index + 1;
    const lr = lrs[index]!;
    for (let i = 0; i < p.length; i++) {
      const g = grads[i]!;
      p[i] = p[i]! * (1 - lr * settings.weightDecay);
      m[i] = settings.beta1 * m[i]! + (1 - settings.beta1) * g;
      v[i] = settings.beta2 * v[i]! + (1 - settings.beta2) * g * g;
      const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - settings.beta2 ** k) + settings.epsilon;
      p[i] = p[i]! - (lr / (1 - settings.beta1 ** k)) * (m[i]! / denom);
    }
  });
  return p;
}

describe('AdamW', () => {
  it('matches torch.optim.AdamW written out in float64 over several steps, including tiny gradients near eps', () => {
    const initial = [0.5, -1.25, 2, 0.003, -0.7, 1e-3];
    const grads = [
      [0.1, -0.2, 0.05, 1e-9, 3, -0.4],
      [-0.3, 0.1, 0.02, -2e-8, 2.5, 0.1],
      [0.2, 0.0, -0.07, 5e-9, -1, 0.3],
      [0.05, -0.15, 0.01, 0, 0.5, -0.2],
    ];
    const lrs = [1e-3, 2e-3, 5e-4, 1e-4];
    const variable = tf.variable(tf.tensor1d(initial));
    const optimizer = new AdamW(new Map([['w', variable]]), settings);
    grads.forEach((g, i) => tf.tidy(() => optimizer.step(new Map([['w', tf.tensor1d(g)]]), lrs[i]!)));
    const expected = referenceAdamW(initial, grads, lrs);
    const actual = Array.from(variable.dataSync());
    actual.forEach((value, i) => expect(Math.abs(value - expected[i]!)).toBeLessThan(2e-7 * Math.max(1, Math.abs(expected[i]!))));
    optimizer.dispose();
    variable.dispose();
  });

  it('leaves a variable without a gradient untouched (no weight decay either), as torch skips grad=None', () => {
    const a = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.tensor1d([3, 4]));
    const optimizer = new AdamW(new Map([['a', a], ['b', b]]), settings);
    tf.tidy(() => optimizer.step(new Map([['a', tf.tensor1d([0.1, 0.1])]]), 0.1));
    expect(Array.from(b.dataSync())).toEqual([3, 4]);
    expect(Array.from(a.dataSync())).not.toEqual([1, 2]);
    optimizer.dispose();
  });

  it('continues identically after saving and loading its state', () => {
    const make = () => tf.variable(tf.tensor1d([0.3, -0.2, 0.9]));
    const gradsAt = (k: number) => tf.tensor1d([0.1 * k, -0.05, 0.2 / k]);
    const straight = make();
    const straightOpt = new AdamW(new Map([['w', straight]]), settings);
    for (let k = 1; k <= 4; k++) tf.tidy(() => straightOpt.step(new Map([['w', gradsAt(k)]]), 1e-2));

    const first = make();
    const firstOpt = new AdamW(new Map([['w', first]]), settings);
    for (let k = 1; k <= 2; k++) tf.tidy(() => firstOpt.step(new Map([['w', gradsAt(k)]]), 1e-2));
    const second = tf.variable(first.clone());
    const secondOpt = new AdamW(new Map([['w', second]]), settings);
    secondOpt.loadStateDict(firstOpt.stateDict());
    for (let k = 3; k <= 4; k++) tf.tidy(() => secondOpt.step(new Map([['w', gradsAt(k)]]), 1e-2));
    expect(Array.from(second.dataSync())).toEqual(Array.from(straight.dataSync()));
    for (const o of [straightOpt, firstOpt, secondOpt]) o.dispose();
  });

  it('does not leak tensors across steps', () => {
    const w = tf.variable(tf.randomNormal([4, 4]));
    const optimizer = new AdamW(new Map([['w', w]]), settings);
    tf.tidy(() => optimizer.step(new Map([['w', tf.onesLike(w)]]), 1e-3));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) tf.tidy(() => optimizer.step(new Map([['w', tf.onesLike(w)]]), 1e-3));
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
  });

  it('rejects invalid hyper-parameters and unknown gradients', () => {
    const w = tf.variable(tf.zeros([2]));
    expect(() => new AdamW(new Map([['w', w]]), { ...settings, beta1: 1 })).toThrow(/beta1/);
    const optimizer = new AdamW(new Map([['w', w]]), settings);
    expect(() => tf.tidy(() => optimizer.step(new Map([['nope', tf.zeros([2])]]), 1e-3))).toThrow(/"nope", which is not a trained variable/);
  });
});
