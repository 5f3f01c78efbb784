import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@sdxl-trainer/errors';
import { EulerDiscreteScheduler } from './EulerDiscreteScheduler.js';

// Formula tests for what the fixture does not cover. References are plain float64 restatements of diffusers v0.27.2
// src/diffusers/schedulers/scheduling_euler_discrete.py (EulerDiscreteScheduler.set_timesteps, _convert_to_karras,
// _sigma_to_t, step), with float32-sized tolerances.

const SDXL = { beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, num_train_timesteps: 1000 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** sqrt((1 - ᾱ_t) / ᾱ_t) for every training timestep, from the scheduler's own ᾱ. */
function sigmaTable(scheduler: EulerDiscreteScheduler): number[] {
  return [...scheduler.alphasCumprod].map((ac) => Math.sqrt((1 - ac) / ac));
}

function closeRel(actual: number, expected: number, rtol: number): boolean {
  return Math.abs(actual - expected) <= rtol * Math.max(Math.abs(expected), 1e-12);
}

describe('EulerDiscreteScheduler.set_timesteps', () => {
  it('trailing: round(arange(T, 0, -T/n)) - 1, numpy rounding half to even; init_noise_sigma = max σ', () => {
    const scheduler = EulerDiscreteScheduler.fromConfig({ ...SDXL, timestep_spacing: 'trailing' });
    scheduler.setTimesteps(5);
    expect([...scheduler.timesteps]).toEqual([999, 799, 599, 399, 199]);
    const table = sigmaTable(scheduler);
    [999, 799, 599, 399, 199].forEach((t, i) => expect(closeRel(scheduler.sigmas[i]!, table[t]!, 1e-6)).toBe(true));
    expect(scheduler.sigmas[5]).toBe(0);
    expect(scheduler.initNoiseSigma).toBe(scheduler.sigmas[0]);
    // n = 16: 1000 - 62.5·i hits .5 ties; 812.5 rounds to the even 812, 937.5 to 938.
    scheduler.setTimesteps(16);
    const expected16 = Array.from({ length: 16 }, (_, i) => {
      const x = 1000 - 62.5 * i;
      const floor = Math.floor(x);
      return (x - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(x)) - 1;
    });
    expect([...scheduler.timesteps]).toEqual(expected16);
    expect(scheduler.timesteps[3]).toBe(811);
  });

  it('trailing keeps numpy arange length quirks: n = 61 gives 62 timesteps ending at -1 (as diffusers does)', () => {
    const scheduler = EulerDiscreteScheduler.fromConfig({ ...SDXL, timestep_spacing: 'trailing' });
    scheduler.setTimesteps(61);
    // np.arange(1000, 0, -1000/61) has ceil(1000 / (1000/61)) = 62 entries in float64, the last ≈ -5.7e-13.
    expect(scheduler.timesteps.length).toBe(62);
    expect(scheduler.timesteps[61]).toBe(-1);
    expect(scheduler.sigmas.length).toBe(63);
    // np.interp clamps t = -1 to the first table entry, σ(0).
    expect(closeRel(scheduler.sigmas[61]!, sigmaTable(scheduler)[0]!, 1e-6)).toBe(true);
  });

  it('linspace: linspace(0, T - 1, n) with σ interpolated linearly between training timesteps', () => {
    const scheduler = EulerDiscreteScheduler.fromConfig({ ...SDXL, timestep_spacing: 'linspace' });
    scheduler.setTimesteps(5);
    expect([...scheduler.timesteps]).toEqual([999, 749.25, 499.5, 249.75, 0]);
    const table = sigmaTable(scheduler);
    const at = (t: number): number => table[Math.floor(t)]! + (t - Math.floor(t)) * (table[Math.floor(t) + 1]! - table[Math.floor(t)]!);
    [999, 749.25, 499.5, 249.75, 0].forEach((t, i) => expect(closeRel(scheduler.sigmas[i]!, t === 999 ? table[999]! : at(t), 1e-6), String(t)).toBe(true));
    expect(scheduler.initNoiseSigma).toBe(scheduler.sigmas[0]);
    scheduler.setTimesteps(1);
    expect([...scheduler.timesteps]).toEqual([0]);
  });

  it('leading: (arange(n) · (T // n))[::-1] + steps_offset; init_noise_sigma = sqrt(max σ² + 1)', () => {
    const scheduler = EulerDiscreteScheduler.fromConfig({ ...SDXL, timestep_spacing: 'leading', steps_offset: 0 });
    scheduler.setTimesteps(3);
    expect([...scheduler.timesteps]).toEqual([666, 333, 0]);
    const sigma = scheduler.sigmas[0]!;
    expect(closeRel(scheduler.initNoiseSigma, Math.sqrt(sigma * sigma + 1), 1e-7)).toBe(true);
  });

  it('before set_timesteps: every training timestep, T-1 down to 0, and the full flipped σ table plus 0', () => {
    const scheduler = EulerDiscreteScheduler.fromConfig(SDXL);
    expect(scheduler.timesteps.length).toBe(1000);
    expect(scheduler.timesteps[0]).toBe(999);
    expect(scheduler.timesteps[999]).toBe(0);
    expect(scheduler.sigmas.length).toBe(1001);
    expect(closeRel(scheduler.sigmas[0]!, sigmaTable(scheduler)[999]!, 1e-6)).toBe(true);
    expect(scheduler.numInferenceSteps).toBeUndefined();
  });

  it('use_karras_sigmas: σ_i = (σmax^(1/7) + i/(n-1)·(σmin^(1/7) - σmax^(1/7)))^7, timesteps by log-σ interpolation', () => {
    const plain = EulerDiscreteScheduler.fromConfig({ ...SDXL, timestep_spacing: 'leading', steps_offset: 1 });
    plain.setTimesteps(10);
    const scheduler = EulerDiscreteScheduler.fromConfig({ ...SDXL, timestep_spacing: 'leading', steps_offset: 1, use_karras_sigmas: true });
    scheduler.setTimesteps(10);
    const sigmaMax = plain.sigmas[0]!;
    const sigmaMin = plain.sigmas[9]!;
    const table = sigmaTable(scheduler);
    for (let i = 0; i < 10; i++) {
      const expected = (sigmaMax ** (1 / 7) + (i / 9) * (sigmaMin ** (1 / 7) - sigmaMax ** (1 / 7))) ** 7;
      expect(closeRel(scheduler.sigmas[i]!, expected, 1e-6)).toBe(true);
      // The timestep t reproduces σ_i by linear interpolation of ln σ between floor(t) and floor(t) + 1.
      const t = scheduler.timesteps[i]!;
      const low = Math.min(Math.floor(t), 998);
      const w = t - low;
      const logSigma = (1 - w) * Math.log(table[low]!) + w * Math.log(table[low + 1]!);
      expect(Math.abs(logSigma - Math.log(expected))).toBeLessThan(2e-4);
    }
    expect(scheduler.sigmas[10]).toBe(0);
    // sigma_min / sigma_max from the config replace the schedule's ends.
    const bounded = EulerDiscreteScheduler.fromConfig({ ...SDXL, use_karras_sigmas: true, sigma_min: 0.1, sigma_max: 10 });
    bounded.setTimesteps(4);
    expect(closeRel(bounded.sigmas[0]!, 10, 1e-7)).toBe(true);
    expect(closeRel(bounded.sigmas[3]!, 0.1, 1e-6)).toBe(true);
  });

  it('timestep_type continuous with v_prediction feeds 0.25·ln σ as the timestep', () => {
    const scheduler = EulerDiscreteScheduler.fromConfig({ ...SDXL, prediction_type: 'v_prediction', timestep_type: 'continuous', timestep_spacing: 'trailing' });
    scheduler.setTimesteps(4);
    for (let i = 0; i < 4; i++) expect(closeRel(scheduler.timesteps[i]!, 0.25 * Math.log(scheduler.sigmas[i]!), 1e-6)).toBe(true);
    expect(scheduler.indexForTimestep(scheduler.timesteps[2]!)).toBe(2);
    // With epsilon prediction "continuous" changes nothing, as in diffusers.
    const epsilon = EulerDiscreteScheduler.fromConfig({ ...SDXL, timestep_type: 'continuous', timestep_spacing: 'trailing' });
    epsilon.setTimesteps(4);
    expect([...epsilon.timesteps]).toEqual([999, 749, 499, 249]);
  });
});

describe('EulerDiscreteScheduler.step', () => {
  const x = [0.5, -1.25, 2, 0.125];
  const m = [0.3, 0.7, -0.2, 1.5];
  const run = (config: Record<string, unknown>, options = {}): { prev: number[]; pred: number[]; sigma: number; next: number } => {
    const scheduler = EulerDiscreteScheduler.fromConfig({ ...SDXL, timestep_spacing: 'trailing', ...config });
    scheduler.setTimesteps(4);
    const t = scheduler.timesteps[1]!;
    const { prevSample, predOriginalSample } = scheduler.step(tf.tensor(m), t, tf.tensor(x), options);
    const result = { prev: [...prevSample.dataSync()], pred: [...predOriginalSample.dataSync()], sigma: scheduler.sigmas[1]!, next: scheduler.sigmas[2]! };
    tf.dispose([prevSample, predOriginalSample]);
    return result;
  };
  const expectClose = (actual: number[], expected: number[]): void => actual.forEach((a, i) => expect(closeRel(a, expected[i]!, 2e-6), `${a} vs ${expected[i]}`).toBe(true));

  it('epsilon: x0 = x - σ·ε; x_next = x + (x - x0)/σ · (σ_next - σ)', () => {
    const { prev, pred, sigma, next } = run({});
    const x0 = x.map((v, i) => v - sigma * m[i]!);
    expectClose(pred, x0);
    expectClose(prev, x.map((v, i) => v + ((v - x0[i]!) / sigma) * (next - sigma)));
  });

  it('v_prediction: x0 = v·(-σ/sqrt(σ²+1)) + x/(σ²+1)', () => {
    const { prev, pred, sigma, next } = run({ prediction_type: 'v_prediction' });
    const x0 = x.map((v, i) => m[i]! * (-sigma / Math.sqrt(sigma * sigma + 1)) + v / (sigma * sigma + 1));
    expectClose(pred, x0);
    expectClose(prev, x.map((v, i) => v + ((v - x0[i]!) / sigma) * (next - sigma)));
  });

  it('sample (and its alias original_sample): x0 is the model output', () => {
    for (const predictionType of ['sample', 'original_sample']) {
      const { prev, pred, sigma, next } = run({ prediction_type: predictionType });
      expectClose(pred, m);
      expectClose(prev, x.map((v, i) => v + ((v - m[i]!) / sigma) * (next - sigma)));
    }
  });

  it('churn: γ = min(s_churn / (len(σ) - 1), √2 - 1), σ̂ = σ(γ + 1), x += s_noise·noise·sqrt(σ̂² - σ²)', () => {
    const noise = [1, -0.5, 0.25, 2];
    const scheduler = EulerDiscreteScheduler.fromConfig({ ...SDXL, timestep_spacing: 'trailing' });
    scheduler.setTimesteps(4);
    expect(() => scheduler.step(tf.tensor(m), scheduler.timesteps[0]!, tf.tensor(x), { sChurn: 1 })).toThrow(
      expect.objectContaining({ code: ErrorCode.SCHEDULER_INVALID_ARGUMENT, message: expect.stringContaining('options.noise') }),
    );
    const { prev, pred, sigma, next } = run({}, { sChurn: 1, sNoise: 0.5, noise: tf.tensor(noise) });
    const gamma = Math.min(1 / 4, Math.SQRT2 - 1);
    const sigmaHat = sigma * (gamma + 1);
    const churned = x.map((v, i) => v + 0.5 * noise[i]! * Math.sqrt(sigmaHat ** 2 - sigma ** 2));
    const x0 = churned.map((v, i) => v - sigmaHat * m[i]!);
    expectClose(pred, x0);
    expectClose(prev, churned.map((v, i) => v + ((v - x0[i]!) / sigmaHat) * (next - sigmaHat)));
    // Outside [s_tmin, s_tmax] no churn applies (and no noise is needed).
    expectClose(run({}, { sChurn: 1, sTmax: 0.001 }).prev, run({}).prev);
  });

  it('tracks the step index, uses set_begin_index, picks the second of duplicate timesteps, and stops after the last step', () => {
    const scheduler = EulerDiscreteScheduler.fromConfig({ ...SDXL, timestep_spacing: 'trailing' });
    scheduler.setTimesteps(2);
    const sample = tf.zeros([2]);
    expect(() => scheduler.scaleModelInput(sample, 123)).toThrow(expect.objectContaining({ code: ErrorCode.SCHEDULER_INVALID_ARGUMENT }));
    scheduler.setBeginIndex(1);
    tf.dispose(scheduler.scaleModelInput(sample, 999));
    expect(scheduler.stepIndex).toBe(1);
    const out = scheduler.step(sample, 499, sample);
    tf.dispose([out.prevSample, out.predOriginalSample]);
    expect(() => scheduler.step(sample, 499, sample)).toThrow(expect.objectContaining({ code: ErrorCode.SCHEDULER_INVALID_ARGUMENT, message: expect.stringContaining('setTimesteps') }));
    // leading with T // n = 0 is refused: n must be in [1, T].
    expect(() => scheduler.setTimesteps(1001)).toThrow(expect.objectContaining({ code: ErrorCode.SCHEDULER_INVALID_ARGUMENT }));
    expect(() => scheduler.setTimesteps(2.5)).toThrow(expect.objectContaining({ code: ErrorCode.SCHEDULER_INVALID_ARGUMENT }));
    // The out-of-range -1 that trailing n = 61 produces is still an ordinary entry for index lookup.
    scheduler.setTimesteps(61);
    expect(scheduler.indexForTimestep(-1)).toBe(61);
    tf.dispose(sample);
  });

  it('leaves no tensors behind across a sampling loop', () => {
    const scheduler = EulerDiscreteScheduler.fromConfig({ ...SDXL, timestep_spacing: 'leading', steps_offset: 1, prediction_type: 'v_prediction' });
    scheduler.setTimesteps(6);
    const before = tf.memory().numTensors;
    let latents = tf.randomNormal([1, 8, 8, 4], 0, scheduler.initNoiseSigma, 'float32', 3);
    for (const t of scheduler.timesteps) {
      const input = scheduler.scaleModelInput(latents, t);
      const modelOutput = tf.mul(input, 0.1);
      const { prevSample, predOriginalSample } = scheduler.step(modelOutput, t, latents);
      tf.dispose([input, modelOutput, predOriginalSample, latents]);
      latents = prevSample;
    }
    expect(tf.memory().numTensors - before).toBe(1); // only the latents
    latents.dispose();
  });
});

describe('EulerDiscreteScheduler config handling', () => {
  it('refuses settings it does not implement, naming the field', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ interpolation_type: 'log_linear' }, ErrorCode.SCHEDULER_CONFIG_UNSUPPORTED, 'interpolation_type'],
      [{ final_sigmas_type: 'sigma_min' }, ErrorCode.SCHEDULER_CONFIG_UNSUPPORTED, 'final_sigmas_type'],
      [{ use_exponential_sigmas: true }, ErrorCode.SCHEDULER_CONFIG_UNSUPPORTED, 'use_exponential_sigmas'],
      [{ use_beta_sigmas: true }, ErrorCode.SCHEDULER_CONFIG_UNSUPPORTED, 'use_beta_sigmas'],
      [{ beta_schedule: 'sigmoid' }, ErrorCode.SCHEDULER_CONFIG_INVALID, 'beta_schedule'],
      [{ timestep_type: 'float' }, ErrorCode.SCHEDULER_CONFIG_INVALID, 'timestep_type'],
      [{ use_karras_sigmas: 'yes' }, ErrorCode.SCHEDULER_CONFIG_INVALID, 'use_karras_sigmas'],
      [{ sigma_min: 'low' }, ErrorCode.SCHEDULER_CONFIG_INVALID, 'sigma_min'],
      [{ steps_offset: -1 }, ErrorCode.SCHEDULER_CONFIG_INVALID, 'steps_offset'],
    ];
    for (const [config, code, field] of cases) {
      expect(() => EulerDiscreteScheduler.fromConfig({ ...SDXL, ...config }), field).toThrow(expect.objectContaining({ code, message: expect.stringContaining(field) }));
    }
  });

  it('accepts newer fields at their defaults and reports keys of other schedulers as ignored', () => {
    const scheduler = EulerDiscreteScheduler.fromConfig({
      ...SDXL,
      _class_name: 'DDPMScheduler',
      final_sigmas_type: 'zero',
      use_exponential_sigmas: false,
      clip_sample: false,
      variance_type: 'fixed_small',
    });
    expect([...scheduler.ignoredConfigFields].sort()).toEqual(['clip_sample', 'variance_type']);
    expect(scheduler.config.timestep_spacing).toBe('linspace'); // EulerDiscreteScheduler's own default
  });
});
