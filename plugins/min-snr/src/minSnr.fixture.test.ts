import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Trainer, type LossContext, type TrainerHookSet } from '@sdxl-trainer/core';
import { loadSafetensors } from '@sdxl-trainer/safetensors';
import { DDPMScheduler } from '@sdxl-trainer/schedulers';
import { setTestBackend } from '@sdxl-trainer/tensor';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';
import { minSnr } from './minSnr.js';

// The fixture's one UNet training step (reference/README.md §h): PyTorch's model_pred and noise for timesteps
// [137, 803], and the Min-SNR(γ = 5, epsilon) loss of that forward as train_text_to_image_sdxl.py computes it.
const reference = await loadSafetensors(sdxlTinyFixture('reference', 'train_step.safetensors'));
const values = JSON.parse(readFileSync(sdxlTinyFixture('reference', 'values.json'), 'utf8')) as {
  train_step: { timesteps: number[]; minsnr_weights_epsilon: number[]; loss_minsnr5_epsilon: number; loss: number };
};
const scheduler = await DDPMScheduler.fromPretrained(sdxlTinyFixture(), { subfolder: 'scheduler' });

beforeAll(async () => {
  await setTestBackend();
});

/** Call the trainer's computeLossWeights waterfall (as the training loop does) with ones, for the fixture's step. */
function weightsThroughPlugin(perSampleLoss: tf.Tensor1D): tf.Tensor1D {
  const trainer = new Trainer({ backend: 'cpu', outputDir: 'unused', plugins: [minSnr({ gamma: 5 })] });
  const timestepValues = Int32Array.from(reference['timesteps']!.data as BigInt64Array, Number);
  const context = {
    step: 1,
    metrics: {},
    timesteps: tf.tensor1d(timestepValues, 'int32'),
    timestepValues,
    noiseSchedule: scheduler,
    predictionType: 'epsilon',
    perSampleLoss,
  } as unknown as LossContext;
  return (trainer.hooks as unknown as TrainerHookSet).computeLossWeights.call(tf.ones([timestepValues.length]) as tf.Tensor1D, context);
}

describe('min-snr against the PyTorch training step of the sdxl-tiny fixture', () => {
  it('gives exactly the fixture weights, and the weighted loss of its model_pred within 1e-6 relative', () => {
    const shape = reference['model_pred']!.shape as number[];
    const { weights, loss, plainLoss } = tf.tidy(() => {
      const prediction = tf.tensor(reference['model_pred']!.data as Float32Array, shape);
      const noise = tf.tensor(reference['noise']!.data as Float32Array, shape);
      // why: the SDXL script's per-sample MSE, mean over every non-batch axis (layout does not matter for a mean).
      const perSample = tf.mean(tf.squaredDifference(prediction, noise), [1, 2, 3]) as tf.Tensor1D;
      const w = weightsThroughPlugin(perSample);
      return { weights: w.dataSync().slice(), loss: tf.mean(tf.mul(perSample, w)).dataSync()[0]!, plainLoss: tf.mean(perSample).dataSync()[0]! };
    });
    expect(values.train_step.timesteps).toEqual([137, 803]);
    expect(Array.from(weights)).toEqual(values.train_step.minsnr_weights_epsilon);
    expect(Math.abs(plainLoss - values.train_step.loss) / values.train_step.loss).toBeLessThan(1e-6);
    expect(Math.abs(loss - values.train_step.loss_minsnr5_epsilon) / values.train_step.loss_minsnr5_epsilon).toBeLessThan(1e-6);
    expect((reference['loss_minsnr5_epsilon']!.data as Float32Array)[0]).toBe(Math.fround(values.train_step.loss_minsnr5_epsilon));
  });
});
