import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS, gelu, geluTanh, quickGelu, relu, silu } from './activations.js';
import { setTestBackend } from '@sdxl-trainer/tensor';

// References are the formulas of torch.nn.functional / transformers activations.py evaluated in float64; tolerance
// 2e-6 absolute on inputs in [-6, 6] (float32 rounding of values up to 6).
const TOLERANCE = 2e-6;

beforeAll(async () => {
  await setTestBackend();
});

/** erf by its Maclaurin series, 2/√π Σ (−1)ⁿ x^(2n+1) / (n!(2n+1)); accurate to ~1e-9 for |x| ≤ 4, and ±1 beyond. */
function erf(x: number): number {
  if (Math.abs(x) > 4) return Math.sign(x) * 1;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const inputs = Array.from({ length: 241 }, (_, i) => -6 + i * 0.05);

function check(fn: (x: tf.Tensor) => tf.Tensor, reference: (x: number) => number): void {
  const actual = fn(tf.tensor1d(inputs)).dataSync();
  inputs.forEach((x, i) => expect(Math.abs(actual[i]! - reference(x)), `x = ${x}`).toBeLessThan(TOLERANCE));
}

describe('activations', () => {
  it('gelu is the exact erf GELU, 0.5·x·(1 + erf(x/√2))', () => check(gelu, (x) => 0.5 * x * (1 + erf(x / Math.SQRT2))));
  it('geluTanh is 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))', () =>
    check(geluTanh, (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)))));
  it('quickGelu is x·sigmoid(1.702·x)', () => check(quickGelu, (x) => x * sigmoid(1.702 * x)));
  it('silu is x·sigmoid(x)', () => check(silu, (x) => x * sigmoid(x)));
  it('relu is max(x, 0)', () => check(relu, (x) => Math.max(x, 0)));
  it('maps transformers hidden_act names (swish = silu, gelu_new = gelu_pytorch_tanh = tanh GELU)', () => {
    expect(ACTIVATIONS.gelu).toBe(gelu);
    expect(ACTIVATIONS.quick_gelu).toBe(quickGelu);
    expect(ACTIVATIONS.gelu_new).toBe(geluTanh);
    expect(ACTIVATIONS.gelu_pytorch_tanh).toBe(geluTanh);
    expect(ACTIVATIONS.swish).toBe(silu);
  });
});
