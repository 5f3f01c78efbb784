import { ArrayDataset, DenoisingModel, NoiseSchedule, Stage, Trainer, type DenoiserInput, type TrainerPlugin } from '@sdxl-trainer/core';
import { DDPMScheduler } from '@sdxl-trainer/schedulers';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import p2Weighting, { P2_WEIGHT_MEAN } from './index.js';

// A run needs a dataset, a noise schedule and a denoising model. These three tiny plugins stand in for the SDXL
// ones, so the plugin is tested in a real trainer in well under a second.

const FEATURES = 4;

/** 16 samples of 4 numbers each. */
function tinyData(): TrainerPlugin {
  const samples = Array.from({ length: 16 }, (_, i) => ({
    modelInput: { data: Float32Array.from({ length: FEATURES }, (_, f) => Math.sin(i + f)), shape: [FEATURES] },
  }));
  return { name: 'test:data', apply: (trainer) => void trainer.hooks.prepareDataset.tap('test:data', () => new ArrayDataset(samples)) };
}

/** SDXL's training noise schedule (scaled_linear betas 0.00085 → 0.012 over 1000 steps). */
function ddpm(): TrainerPlugin {
  return {
    name: 'test:ddpm',
    apply(trainer) {
      const scheduler = DDPMScheduler.fromConfig({ beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', num_train_timesteps: 1000 });
      trainer.hooks.environment.tap('test:ddpm', () => trainer.container.register(NoiseSchedule, { useValue: scheduler }));
      trainer.hooks.shutdown.tap('test:ddpm', () => scheduler.dispose());
    },
  };
}

/** A denoiser with one weight matrix: predicts the noise as a linear map of the noisy input. */
function linearModel(): TrainerPlugin {
  return {
    name: 'test:linear-model',
    apply(trainer) {
      let weight: tf.Variable | undefined;
      trainer.hooks.loadModels.tap('test:linear-model', () => {
        weight = tf.variable(tf.eye(FEATURES), true, 'linear.weight');
        const model: DenoisingModel = {
          trainableVariables: new Map([['linear.weight', weight]]),
          predict: ({ noisy }: DenoiserInput) => tf.matMul(noisy as tf.Tensor2D, weight!),
        };
        trainer.container.register(DenoisingModel, { useValue: model });
      });
      trainer.hooks.shutdown.tap('test:linear-model', () => weight?.dispose());
    },
  };
}

/** Records, after every other weighting, the weights and timesteps the loss is computed with. */
function recordWeights(seen: { timesteps: number[]; weights: number[] }[]): TrainerPlugin {
  return {
    name: 'test:record',
    apply(trainer) {
      trainer.hooks.computeLossWeights.tap({ name: 'test:record', stage: Stage.POST }, (weights, { timestepValues }) => {
        seen.push({ timesteps: [...timestepValues], weights: [...weights.dataSync()] });
        return weights;
      });
    },
  };
}

async function train(plugins: TrainerPlugin[]) {
  const trainer = new Trainer({ backend: 'cpu', seed: 1, trainBatchSize: 4, maxTrainSteps: 3, learningRate: 1e-2, plugins: [tinyData(), ddpm(), linearModel(), ...plugins] });
  const metrics: Record<string, number>[] = [];
  trainer.events$.subscribe((event) => event.type === 'metrics' && metrics.push(event.values));
  const summary = await trainer.run();
  return { summary, metrics };
}

// why the timeout: the first run in a test process loads and compiles the trainer's modules (a few seconds).
describe('p2Weighting', { timeout: 60_000 }, () => {
  it('weights each sample by 1 / (k + SNR(t))^γ in a real run', async () => {
    const seen: { timesteps: number[]; weights: number[] }[] = [];
    const { summary } = await train([p2Weighting({ gamma: 0.5, k: 2 }), recordWeights(seen)]);
    expect(summary.status).toBe('completed');
    expect(seen).toHaveLength(3);
    // ᾱ_t computed here from the betas, independently of the scheduler: β_t = (√0.00085 + (√0.012 − √0.00085)·t/999)²
    const alphaBar = (t: number) => {
      let product = 1;
      for (let s = 0; s <= t; s++) product *= 1 - (Math.sqrt(0.00085) + ((Math.sqrt(0.012) - Math.sqrt(0.00085)) * s) / 999) ** 2;
      return product;
    };
    for (const { timesteps, weights } of seen) {
      timesteps.forEach((t, i) => {
        const snr = alphaBar(t) / (1 - alphaBar(t));
        expect(weights[i]).toBeCloseTo(1 / Math.sqrt(2 + snr), 4);
      });
    }
  });

  it('reports the mean weight as a metric', async () => {
    const { metrics } = await train([p2Weighting()]);
    const means = metrics.map((values) => values[P2_WEIGHT_MEAN]);
    expect(means.length).toBeGreaterThan(0);
    for (const mean of means) expect(mean).toBeGreaterThan(0);
    for (const mean of means) expect(mean).toBeLessThanOrEqual(1);
  });

  it('rejects bad options with a message naming the option', () => {
    expect(() => p2Weighting({ gamma: -1 })).toThrow(/gamma/);
    expect(() => p2Weighting({ gama: 1 } as never)).toThrow(/did you mean "gamma"/);
  });
});
