import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipGradNorm, globalGradNorm } from './clipGradNorm.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('clipGradNorm (torch.nn.utils.clip_grad_norm_)', () => {
  it('computes the global norm over all gradients', () => {
    // sqrt(3^2 + 4^2 + 12^2) = 13
    const norm = tf.tidy(() => globalGradNorm(new Map<string, tf.Tensor>([['a', tf.tensor1d([3, 4])], ['b', tf.tensor2d([[12]])]])));
    expect(norm.dataSync()[0]).toBeCloseTo(13, 5);
  });

  it('scales every gradient by max_norm / (norm + 1e-6) when the norm is larger', () => {
    const [a, b, norm] = tf.tidy(() => {
      const { gradients, norm } = clipGradNorm(new Map([['a', tf.tensor1d([3, 4])], ['b', tf.tensor1d([12])]]), 1);
      return [gradients.get('a')!, gradients.get('b')!, norm];
    });
    const coef = 1 / (13 + 1e-6);
    expect(norm.dataSync()[0]).toBeCloseTo(13, 5);
    expect(Array.from(a.dataSync())).toEqual([expect.closeTo(3 * coef, 7), expect.closeTo(4 * coef, 7)]);
    expect(b.dataSync()[0]).toBeCloseTo(12 * coef, 7);
  });

  it('leaves gradients as they are when the norm is below max_norm (coefficient clamped to 1)', () => {
    const a = tf.tidy(() => clipGradNorm(new Map([['a', tf.tensor1d([0.3, 0.4])]]), 1).gradients.get('a')!);
    expect(Array.from(a.dataSync())).toEqual([expect.closeTo(0.3, 7), expect.closeTo(0.4, 7)]);
  });
});
