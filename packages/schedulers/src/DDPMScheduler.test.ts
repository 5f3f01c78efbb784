import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@sdxl-trainer/errors';
import { SafetensorsReader } from '@sdxl-trainer/safetensors';
import { DDPMScheduler } from './DDPMScheduler.js';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';

const root = sdxlTinyFixture();
const values = JSON.parse(readFileSync(join(root, 'reference', 'values.json'), 'utf8')) as {
  ddpm: { snr_gamma: number };
  train_step: { timesteps: number[]; snr: number[] };
};

interface Fixture {
  betas: Float32Array;
  alphasCumprod: Float32Array;
  x0: Float32Array;
  noise: Float32Array;
  timesteps: Int32Array;
  noisy: Float32Array;
  velocity: Float32Array;
  snrTimesteps: Int32Array;
  snr: Float32Array;
  minsnrEpsilon: Float32Array;
  minsnrV: Float32Array;
}
let fixture: Fixture;
let scheduler: DDPMScheduler;
const SHAPE = [3, 4, 8, 8]; // NCHW, README §e

beforeAll(async () => {
  await tf.setBackend('cpu');
  const reader = await SafetensorsReader.open(join(root, 'reference', 'ddpm.safetensors'));
  const f = (name: string): Promise<Float32Array> => reader.readFloat32(name);
  fixture = {
    betas: await f('betas'),
    alphasCumprod: await f('alphas_cumprod'),
    x0: await f('x0'),
    noise: await f('noise'),
    timesteps: await reader.readInt32('timesteps'),
    noisy: await f('noisy'),
    velocity: await f('velocity'),
    snrTimesteps: await reader.readInt32('snr_timesteps'),
    snr: await f('snr'),
    minsnrEpsilon: await f('minsnr_weights_epsilon'),
    minsnrV: await f('minsnr_weights_v_prediction'),
  };
  await reader.close();
  // As the training script builds it: DDPMScheduler.from_pretrained(root, subfolder="scheduler") on the Euler config.
  scheduler = await DDPMScheduler.fromPretrained(root, { subfolder: 'scheduler' });
});

function maxRelative(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(Math.abs(expected[i]!), 1e-30));
  return worst;
}

describe('DDPMScheduler against the PyTorch fixture (README §e)', () => {
  it('reads the config as diffusers does, reporting the Euler-only keys it ignores', () => {
    expect(scheduler.numTrainTimesteps).toBe(1000);
    expect(scheduler.predictionType).toBe('epsilon');
    expect(scheduler.config).toMatchObject({ beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, steps_offset: 1, clip_sample: true });
    expect([...scheduler.ignoredConfigFields].sort()).toEqual(['interpolation_type', 'sigma_max', 'sigma_min', 'timestep_type', 'use_karras_sigmas']);
  });

  it('computes betas and alphas_cumprod bit for bit (float32 linspace and float64-accumulated cumprod)', () => {
    expect(maxRelative(scheduler.betas, fixture.betas)).toBe(0);
    expect(maxRelative(scheduler.alphasCumprod, fixture.alphasCumprod)).toBe(0);
  });

  it('addNoise, getVelocity and snr match PyTorch (tolerance 1e-6 relative; measured 0)', () => {
    const x0 = tf.tensor(fixture.x0, SHAPE);
    const noise = tf.tensor(fixture.noise, SHAPE);
    const t = tf.tensor1d(fixture.timesteps, 'int32');
    const noisy = scheduler.addNoise(x0, noise, t);
    const velocity = scheduler.getVelocity(x0, noise, t);
    expect(noisy.shape).toEqual(SHAPE);
    expect(maxRelative(noisy.dataSync(), fixture.noisy)).toBeLessThanOrEqual(1e-6);
    expect(maxRelative(velocity.dataSync(), fixture.velocity)).toBeLessThanOrEqual(1e-6);
    const snr = scheduler.snr(tf.tensor1d(fixture.snrTimesteps, 'int32'));
    expect(maxRelative(snr.dataSync(), fixture.snr)).toBeLessThanOrEqual(1e-6);
    // The training-step fixture's SNR at its own timesteps (values.json train_step).
    const stepSnr = scheduler.snr(tf.tensor1d(values.train_step.timesteps, 'int32')).dataSync();
    expect(maxRelative(stepSnr, values.train_step.snr)).toBeLessThanOrEqual(1e-6);
    tf.dispose([x0, noise, t, noisy, velocity, snr]);
  });

  it('gives the Min-SNR weights of the training script from snr()', () => {
    const gamma = values.ddpm.snr_gamma;
    const snr = scheduler.snr(tf.tensor1d(fixture.snrTimesteps, 'int32'));
    const capped = tf.minimum(snr, gamma);
    expect(maxRelative(tf.div(capped, snr).dataSync(), fixture.minsnrEpsilon)).toBeLessThanOrEqual(1e-6);
    expect(maxRelative(tf.div(capped, tf.add(snr, 1)).dataSync(), fixture.minsnrV)).toBeLessThanOrEqual(1e-6);
  });

  it('broadcasts per sample over every non-batch axis: NHWC gives the transposed NCHW result', () => {
    const nchw = tf.tensor(fixture.x0, SHAPE);
    const noiseNchw = tf.tensor(fixture.noise, SHAPE);
    const t = tf.tensor1d(fixture.timesteps, 'int32');
    const nhwc = scheduler.addNoise(tf.transpose(nchw, [0, 2, 3, 1]), tf.transpose(noiseNchw, [0, 2, 3, 1]), t);
    expect(nhwc.shape).toEqual([3, 8, 8, 4]);
    expect(maxRelative(tf.transpose(nhwc, [0, 3, 1, 2]).dataSync(), fixture.noisy)).toBeLessThanOrEqual(1e-6);
    // One timestep for the whole batch broadcasts too; sample 1 (t = 500) must match its row of the fixture.
    const single = scheduler.addNoise(nchw, noiseNchw, tf.tensor1d([fixture.timesteps[1]!], 'int32'));
    const row = 4 * 8 * 8;
    expect(maxRelative(single.dataSync().subarray(row, 2 * row), fixture.noisy.subarray(row, 2 * row))).toBeLessThanOrEqual(1e-6);
  });

  it('holds only its three cached tensors, which dispose() frees; tables made inside tf.tidy survive it', () => {
    const fresh = DDPMScheduler.fromConfig({ beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012 });
    const before = tf.memory().numTensors;
    const x0 = tf.ones([2, 4, 4, 3]);
    const t = tf.tensor1d([3, 700], 'int32');
    const out = tf.tidy(() => fresh.addNoise(x0, x0, t));
    expect(tf.memory().numTensors).toBe(before + 2 + 1 + 3);
    for (let i = 0; i < 5; i++) {
      tf.dispose([fresh.addNoise(x0, x0, t), fresh.getVelocity(x0, x0, t), fresh.snr(t)]);
    }
    expect(tf.memory().numTensors).toBe(before + 2 + 1 + 3);
    fresh.dispose();
    tf.dispose([x0, t, out]);
    expect(tf.memory().numTensors).toBe(before);
    fresh.dispose();
  });

  it('rejects float timesteps and invalid config values with errors naming the field', () => {
    const x = tf.zeros([1, 2]);
    expect(() => scheduler.addNoise(x, x, tf.tensor1d([1.5]))).toThrow(expect.objectContaining({ code: ErrorCode.SCHEDULER_INVALID_ARGUMENT }));
    const cases: [Record<string, unknown>, string, string][] = [
      [{ beta_schedule: 'cosine' }, ErrorCode.SCHEDULER_CONFIG_INVALID, 'beta_schedule'],
      [{ prediction_type: 'original_sample' }, ErrorCode.SCHEDULER_CONFIG_INVALID, 'prediction_type'],
      [{ num_train_timesteps: 0 }, ErrorCode.SCHEDULER_CONFIG_INVALID, 'num_train_timesteps'],
      [{ beta_start: '0.1' }, ErrorCode.SCHEDULER_CONFIG_INVALID, 'beta_start'],
      [{ num_train_timesteps: 3, trained_betas: [0.1, 0.2] }, ErrorCode.SCHEDULER_CONFIG_INVALID, 'trained_betas'],
      [{ timestep_spacing: 'uniform' }, ErrorCode.SCHEDULER_CONFIG_INVALID, 'timestep_spacing'],
    ];
    for (const [config, code, field] of cases) {
      expect(() => DDPMScheduler.fromConfig(config), field).toThrow(expect.objectContaining({ code, message: expect.stringContaining(field) }));
    }
    expect(() => DDPMScheduler.fromConfig([] as unknown as Record<string, unknown>)).toThrow(expect.objectContaining({ code: ErrorCode.SCHEDULER_CONFIG_INVALID }));
  });

  it('fromPretrained applies overrides and reports a missing file', async () => {
    const v = await DDPMScheduler.fromPretrained(root, { subfolder: 'scheduler', overrides: { prediction_type: 'v_prediction' } });
    expect(v.predictionType).toBe('v_prediction');
    await expect(DDPMScheduler.fromPretrained(root, { subfolder: 'nope' })).rejects.toMatchObject({ code: ErrorCode.FILE_NOT_FOUND });
  });
});
