import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DenoisingModel, Rng, Stage, Trainer, type PredictionType, type Sample, type TrainerPlugin } from '@sdxl-trainer/core';
import { ErrorCode } from '@sdxl-trainer/errors';
import { ddpmPlugin, toyDataPlugin, toyTrainer } from '@sdxl-trainer/tests-toy';
import { NAME, noiseOffset } from './noiseOffset.js';

interface Forward {
  x0: Float32Array;
  noisy: Float32Array;
  prediction: Float32Array;
  timesteps: number[];
}

/** A one-parameter model (prediction = scale · x_t) that records what it saw, for hand computations. */
function recordingModel(forwards: Forward[]): TrainerPlugin {
  const name = 'test:recording-model';
  return {
    name,
    apply(trainer) {
      let scale: tf.Variable | undefined;
      // why: loadModels runs after the backend is initialised; the model is resolved after it.
      trainer.hooks.loadModels.tap(name, () => {
        const variable = (scale = tf.variable(tf.scalar(0.5)));
        trainer.container.register(DenoisingModel, {
          useValue: {
            trainableVariables: new Map([['scale', variable]]),
            predict: ({ noisy, timesteps, batch }) => {
              const prediction = tf.mul(noisy, variable);
              forwards.push({
                x0: batch.tensors['modelInput']!.dataSync().slice() as Float32Array,
                noisy: noisy.dataSync().slice() as Float32Array,
                prediction: prediction.dataSync().slice() as Float32Array,
                timesteps: Array.from(timesteps.dataSync()),
              });
              return prediction;
            },
          },
        });
      });
      trainer.hooks.shutdown.tap(name, () => scale?.dispose());
    },
  };
}

/** NHWC samples [H, W, C] = [2, 3, 4]. */
function nhwcSamples(count: number): Sample[] {
  const rng = Rng.fromSeed(4, 'samples');
  return Array.from({ length: count }, () => ({ modelInput: { data: rng.fillNormal(new Float32Array(24)), shape: [2, 3, 4] } }));
}

const SEED = 3;
const [B, H, W, C] = [4, 2, 3, 4];

async function nhwcRun(predictionType: PredictionType, plugins: TrainerPlugin[]) {
  const forwards: Forward[] = [];
  const losses: number[] = [];
  let alphasCumprod: Float32Array | undefined;
  const schedule: TrainerPlugin = {
    name: 'test:schedule',
    apply: (t) =>
      t.hooks.computeLossWeights.tap({ name: 'test:schedule', stage: Stage.REPORT }, (weights, context) => {
        alphasCumprod ??= context.noiseSchedule.alphasCumprod;
        return weights;
      }),
  };
  const trainer = new Trainer({
    backend: 'cpu',
    seed: SEED,
    trainBatchSize: B,
    maxTrainSteps: 3,
    learningRate: 1e-3,
    lrWarmupSteps: 0,
    outputDir: 'unused',
    predictionType,
    plugins: [ddpmPlugin(), toyDataPlugin(nhwcSamples(8)), recordingModel(forwards), schedule, ...plugins],
  });
  trainer.events$.subscribe((e) => e.type === 'step:end' && losses.push(e.loss));
  await trainer.run();
  return { forwards, losses, alphasCumprod: alphasCumprod! };
}

describe('noiseOffset options', () => {
  it('names the option, the flag, the value and what was expected', () => {
    expect(() => noiseOffset({ offset: -0.1 })).toThrow(expect.objectContaining({ code: ErrorCode.CONFIG_INVALID }));
    expect(() => noiseOffset({ offset: -0.1 })).toThrow(/@sdxl-trainer\/plugin-noise-offset: offset \(--noise_offset\): got -0.1; expected a finite number ≥ 0/);
    expect(() => noiseOffset({ offset: Number.NaN })).toThrow(/offset \(--noise_offset\): got NaN/);
    expect(() => noiseOffset({} as never)).toThrow(/offset \(--noise_offset\): got nothing/);
    expect(() => noiseOffset({ offest: 0.1 } as never)).toThrow(/unknown option "offest"; did you mean "offset"\?/);
    expect(noiseOffset({ offset: 0.1 }).name).toBe('@sdxl-trainer/plugin-noise-offset');
  });
});

describe('noiseOffset in a training run', () => {
  it.each(['epsilon', 'v_prediction'] as const)(
    '%s: the offset noise is the noise of the step — in add_noise and in the target — as a hand computation says',
    async (predictionType) => {
      const offset = 0.8;
      const { forwards, losses, alphasCumprod } = await nhwcRun(predictionType, [noiseOffset({ offset })]);
      expect(forwards).toHaveLength(3);
      // why: the core draws the base noise from the "noise" stream, then the plugin draws [B, C] from its own stream.
      const baseRng = Rng.fromSeed(SEED, 'noise');
      const offsetRng = Rng.fromSeed(SEED, NAME);
      forwards.forEach((forward, step) => {
        const base = baseRng.fillNormal(new Float32Array(B * H * W * C));
        const draws = offsetRng.fillNormal(new Float32Array(B * C));
        let squared = 0;
        let squaredWithoutOffset = 0;
        for (let i = 0; i < base.length; i++) {
          const b = Math.floor(i / (H * W * C));
          const c = i % C;
          const noise = Math.fround(base[i]! + Math.fround(Math.fround(offset) * draws[b * C + c]!));
          const ac = alphasCumprod[forward.timesteps[b]!]!;
          const [signal, sigma] = [Math.sqrt(ac), Math.sqrt(1 - ac)];
          const x0 = forward.x0[i]!;
          expect(Math.abs(forward.noisy[i]! - (signal * x0 + sigma * noise))).toBeLessThan(1e-5);
          const target = predictionType === 'epsilon' ? noise : signal * noise - sigma * x0;
          const targetWithoutOffset = predictionType === 'epsilon' ? base[i]! : signal * base[i]! - sigma * x0;
          squared += (forward.prediction[i]! - target) ** 2;
          squaredWithoutOffset += (forward.prediction[i]! - targetWithoutOffset) ** 2;
        }
        const handLoss = squared / base.length;
        expect(Math.abs(losses[step]! - handLoss) / handLoss).toBeLessThan(1e-5);
        // the check has power: without the offset in the target the loss is off by far more than the tolerance
        expect(Math.abs(losses[step]! - squaredWithoutOffset / base.length) / handLoss).toBeGreaterThan(1e-3);
      });
    },
  );

  it('with offset 0 does nothing: no tap, and the run is identical to a run without it', async () => {
    const plugin = noiseOffset({ offset: 0 });
    const trainer = toyTrainer({ extraPlugins: [plugin] });
    expect(Object.values(trainer.hooks).flatMap((hook) => hook.taps.map((tap) => tap.name))).not.toContain(NAME);
    const plain = await nhwcRun('epsilon', []);
    const zero = await nhwcRun('epsilon', [noiseOffset({ offset: 0 })]);
    expect(zero.losses).toEqual(plain.losses);
    const offset = await nhwcRun('epsilon', [noiseOffset({ offset: 0.1 })]);
    expect(offset.losses).not.toEqual(plain.losses);
  });

  it('trains the toy MLP denoiser ([batch, 8] inputs, the last axis as channels) with offset 0.1', async () => {
    const losses: number[] = [];
    const trainer = toyTrainer({ maxTrainSteps: 30, trainBatchSize: 8, samples: 48, extraPlugins: [noiseOffset({ offset: 0.1 })] });
    trainer.events$.subscribe((e) => e.type === 'step:end' && losses.push(e.loss));
    await trainer.run();
    expect(losses).toHaveLength(30);
    expect(losses.every(Number.isFinite)).toBe(true);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)));
  });
});
