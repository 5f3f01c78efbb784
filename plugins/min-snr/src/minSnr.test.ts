import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Stage, Trainer, type LossContext, type MetricMap, type TrainerHookSet, type TrainerPlugin } from '@sdxl-trainer/core';
import { ErrorCode } from '@sdxl-trainer/errors';
import { DDPMScheduler } from '@sdxl-trainer/schedulers';
import { setTestBackend } from '@sdxl-trainer/tensor';
import { ddpmPlugin, toyTrainer } from '@sdxl-trainer/tests-toy';
import { MIN_SNR_WEIGHT_MEAN, minSnr } from './minSnr.js';

beforeAll(async () => {
  await setTestBackend();
});

const sdxl = DDPMScheduler.fromConfig({ beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear' });

/** Min-SNR weight in float64 from ᾱ (the paper's formula), an independent reference for the float32 plugin. */
function float64Weight(alphasCumprod: Float32Array, t: number, gamma: number): number {
  const snr = alphasCumprod[t]! / (1 - alphasCumprod[t]!);
  return Math.min(snr, gamma) / snr;
}

/** A plugin that records what the loss weighting saw and produced (after every other tap). */
function recordWeights(into: { timesteps: number[]; weights: number[] }): TrainerPlugin {
  return {
    name: 'test:record-weights',
    apply(trainer) {
      trainer.hooks.computeLossWeights.tap({ name: 'test:record-weights', stage: Stage.REPORT }, (weights, context) => {
        into.timesteps.push(...context.timestepValues);
        into.weights.push(...weights.dataSync());
        return weights;
      });
    },
  };
}

/** Always draws timestep `t` (replaces the sampler). */
function constantTimesteps(t: number): TrainerPlugin {
  return {
    name: 'test:constant-timesteps',
    apply(trainer) {
      trainer.hooks.sampleTimesteps.tap({ name: 'test:constant-timesteps', stage: Stage.PROVIDE }, () => ({ name: `constant-${t}`, sample: (n) => new Int32Array(n).fill(t) }));
    },
  };
}

describe('minSnr options', () => {
  const problem = (options: unknown): string => {
    try {
      minSnr(options as never);
    } catch (error) {
      expect(error).toMatchObject({ code: ErrorCode.CONFIG_INVALID });
      return (error as Error).message;
    }
    throw new Error(`minSnr(${JSON.stringify(options)}) did not throw`);
  };

  it('names the option, the flag, the value and what was expected', () => {
    expect(problem({ gamma: -1 })).toMatch(/@sdxl-trainer\/plugin-min-snr: gamma \(--snr_gamma\): got -1; expected a positive finite number/);
    expect(problem({ gamma: 0 })).toMatch(/gamma \(--snr_gamma\): got 0/);
    expect(problem({ gamma: '5' })).toMatch(/got "5" \(a string\)/);
    expect(problem({ gamma: Infinity })).toMatch(/got Infinity/);
    expect(problem({})).toMatch(/gamma \(--snr_gamma\): got nothing/);
    expect(problem({ gamma: 5, guardZeroSnr: 'yes' })).toMatch(/guardZeroSnr: got "yes" \(a string\); expected true or false/);
    expect(problem({ gama: 5 })).toMatch(/unknown option "gama"; did you mean "gamma"\?/);
    expect(problem(5)).toMatch(/must be an object of options, got 5/);
  });

  it('makes a plugin named after the package', () => {
    expect(minSnr({ gamma: 5 }).name).toBe('@sdxl-trainer/plugin-min-snr');
  });
});

describe('minSnr in the computeLossWeights waterfall', () => {
  it('multiplies the incoming weights (composes with an earlier weighting) and reports the mean Min-SNR weight', () => {
    const doubler: TrainerPlugin = {
      name: 'test:double',
      apply: (t) => t.hooks.computeLossWeights.tap({ name: 'test:double', stage: Stage.DEFAULT }, (w) => tf.mul(w, 2)),
    };
    const trainer = new Trainer({ backend: 'cpu', outputDir: 'unused', plugins: [minSnr({ gamma: 5 }), doubler] });
    const timestepValues = Int32Array.from([0, 100, 500, 999]);
    const metrics: Record<string, number> = {};
    const context = { metrics, timestepValues, timesteps: tf.tensor1d(timestepValues, 'int32'), noiseSchedule: sdxl, predictionType: 'epsilon' } as unknown as LossContext;
    const out = tf.tidy(() => (trainer.hooks as unknown as TrainerHookSet).computeLossWeights.call(tf.ones([4]) as tf.Tensor1D, context).dataSync().slice());
    const ac = sdxl.alphasCumprod;
    const expected = [...timestepValues].map((t) => float64Weight(ac, t, 5));
    out.forEach((w, i) => expect(Math.abs(w - 2 * expected[i]!)).toBeLessThan(1e-6 * 2 * expected[i]! + 1e-7));
    const mean = expected.reduce((a, b) => a + b, 0) / expected.length;
    expect(Math.abs(metrics[MIN_SNR_WEIGHT_MEAN]! - mean)).toBeLessThan(1e-6);
  });
});

describe('minSnr in a training run (toy MLP denoiser, SDXL DDPM schedule)', () => {
  it('trains with γ = 5: finite losses, Min-SNR weights applied, their mean reported per step', async () => {
    const seen = { timesteps: [] as number[], weights: [] as number[] };
    const trainer = toyTrainer({ maxTrainSteps: 12, trainBatchSize: 2, gradientAccumulationSteps: 2, loggingSteps: 1, extraPlugins: [minSnr({ gamma: 5 }), recordWeights(seen)] });
    const reported: number[] = [];
    const losses: number[] = [];
    // why: compiles only if the plugin's declaration merging added its metric to the core's MetricMap.
    const metric: keyof MetricMap = MIN_SNR_WEIGHT_MEAN;
    trainer.events$.subscribe((event) => {
      if (event.type === 'metrics') reported.push(event.values[metric]!);
      if (event.type === 'step:end') losses.push(event.loss);
    });
    await trainer.run();

    expect(losses).toHaveLength(12);
    expect(losses.every(Number.isFinite)).toBe(true);
    const ac = sdxl.alphasCumprod;
    seen.timesteps.forEach((t, i) => expect(Math.abs(seen.weights[i]! - float64Weight(ac, t, 5))).toBeLessThan(3e-5 * float64Weight(ac, t, 5)));
    expect(seen.weights.some((w) => w < 0.9)).toBe(true); // some timesteps below t ≈ 147 were drawn and down-weighted
    // two micro-batches of two per step: the metric is the mean over the step's four samples
    expect(reported).toHaveLength(12);
    reported.forEach((mean, step) => {
      const stepWeights = seen.weights.slice(4 * step, 4 * step + 4);
      expect(mean).toBeCloseTo(stepWeights.reduce((a, b) => a + b, 0) / 4, 6);
    });
  });

  it('changes the training: same seed, different losses than without it', async () => {
    const runLosses = async (plugins: TrainerPlugin[]): Promise<number[]> => {
      const losses: number[] = [];
      const trainer = toyTrainer({ maxTrainSteps: 4, extraPlugins: plugins });
      trainer.events$.subscribe((e) => e.type === 'step:end' && losses.push(e.loss));
      await trainer.run();
      return losses;
    };
    const plain = await runLosses([]);
    const weighted = await runLosses([minSnr({ gamma: 5 })]);
    expect(weighted).not.toEqual(plain);
  });
});

describe('minSnr with a zero-terminal-SNR schedule (rescale_betas_zero_snr)', () => {
  const ztsnr = ddpmPlugin({ rescale_betas_zero_snr: true });

  it('epsilon at t = 999 gives a NaN weight as in diffusers: the run stops with LOSS_NOT_FINITE, after a warning', async () => {
    const trainer = toyTrainer({ maxTrainSteps: 2, extraPlugins: [ztsnr, constantTimesteps(999), minSnr({ gamma: 5 })] });
    const warnings: string[] = [];
    trainer.events$.subscribe((e) => e.type === 'log' && e.level === 'warn' && warnings.push(e.message));
    await expect(trainer.run()).rejects.toMatchObject({ code: ErrorCode.LOSS_NOT_FINITE });
    expect(warnings.join('\n')).toMatch(/zero SNR at timestep 999.*guardZeroSnr: true/);
  });

  it('with guardZeroSnr the same run trains (weight 1 at t = 999), and no warning is logged', async () => {
    const seen = { timesteps: [] as number[], weights: [] as number[] };
    const trainer = toyTrainer({ maxTrainSteps: 2, extraPlugins: [ztsnr, constantTimesteps(999), minSnr({ gamma: 5, guardZeroSnr: true }), recordWeights(seen)] });
    const warnings: string[] = [];
    trainer.events$.subscribe((e) => e.type === 'log' && e.level === 'warn' && warnings.push(e.message));
    const summary = await trainer.run();
    expect(summary.status).toBe('completed');
    expect(Number.isFinite(summary.lastLoss)).toBe(true);
    expect(new Set(seen.weights)).toEqual(new Set([1]));
    expect(warnings).toEqual([]);
  });

  it('v_prediction at t = 999 gets weight 0 (0 / (0 + 1)), so the loss is 0 and finite', async () => {
    const seen = { timesteps: [] as number[], weights: [] as number[] };
    const trainer = toyTrainer({ maxTrainSteps: 2, predictionType: 'v_prediction', extraPlugins: [ztsnr, constantTimesteps(999), minSnr({ gamma: 5 }), recordWeights(seen)] });
    const summary = await trainer.run();
    expect(summary.status).toBe('completed');
    expect(summary.lastLoss).toBe(0);
    expect(new Set(seen.weights)).toEqual(new Set([0]));
  });
});
