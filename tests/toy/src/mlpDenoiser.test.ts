import { collate } from '@sdxl-trainer/core';
import { initBackend } from '@sdxl-trainer/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { MlpDenoiser } from './mlpDenoiser.js';
import { toySamples } from './toyData.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('the toy MLP denoiser (test support)', () => {
  it('has gradients that agree with central finite differences', () => {
    const model = new MlpDenoiser({ features: 4, hidden: 6, condFeatures: 3, seed: 2 });
    const samples = toySamples(3, 4, 3, 1);
    tf.tidy(() => {
      const batch = collate(samples, [0, 1, 2]);
      const noisy = batch.tensors['modelInput']!;
      const timesteps = tf.tensor1d([5, 400, 999], 'int32');
      const loss = () => tf.sum(tf.square(model.predict({ noisy, timesteps, batch, context: undefined as never }))) as tf.Scalar;
      const weight = model.trainableVariables.get('in.weight')!;
      const { grads } = tf.variableGrads(loss, [weight]);
      const analytic = grads[weight.name]!.dataSync();
      const values = weight.dataSync().slice();
      const h = 1e-2;
      for (const i of [0, 5, 11, 17]) {
        const at = (delta: number) => {
          const shifted = values.slice();
          shifted[i]! += delta;
          weight.assign(tf.tensor(shifted, weight.shape));
          return loss().dataSync()[0]!;
        };
        const numeric = (at(h) - at(-h)) / (2 * h);
        weight.assign(tf.tensor(values, weight.shape));
        expect(Math.abs(numeric - analytic[i]!)).toBeLessThan(2e-3 * Math.max(1, Math.abs(numeric)));
      }
    });
    model.dispose();
  });
});
