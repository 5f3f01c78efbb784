import { describe, expect, it } from 'vitest';
import { DDPMScheduler } from './DDPMScheduler.js';
import { EulerDiscreteScheduler } from './EulerDiscreteScheduler.js';

// Formula tests for schedules the fixture does not cover. Each reference is written in plain float64 from the
// formula in diffusers v0.27.2 src/diffusers/schedulers/scheduling_ddpm.py (function named in each test); the
// package computes in emulated float32 like PyTorch, so tolerances are float32-sized.

function maxRelative(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.abs(expected[i]!));
  return worst;
}

function cumprod(values: ArrayLike<number>): number[] {
  const out: number[] = [];
  let product = 1;
  for (let i = 0; i < values.length; i++) out.push((product *= values[i]!));
  return out;
}

describe('beta schedules (DDPMScheduler.__init__)', () => {
  it('linear: torch.linspace(beta_start, beta_end, T)', () => {
    const scheduler = DDPMScheduler.fromConfig({ beta_schedule: 'linear', beta_start: 0.0001, beta_end: 0.02, num_train_timesteps: 1000 });
    const expected = Array.from({ length: 1000 }, (_, i) => 0.0001 + ((0.02 - 0.0001) * i) / 999);
    expect(maxRelative(scheduler.betas, expected)).toBeLessThan(2e-6);
    const ac = cumprod(expected.map((b) => 1 - b));
    expect(maxRelative(scheduler.alphasCumprod, ac)).toBeLessThan(1e-5);
    // The DDPM defaults are exactly this schedule.
    expect(DDPMScheduler.fromConfig({}).betas).toEqual(scheduler.betas);
  });

  it('squaredcos_cap_v2: betas_for_alpha_bar with the Glide cosine, capped at 0.999', () => {
    const scheduler = DDPMScheduler.fromConfig({ beta_schedule: 'squaredcos_cap_v2', num_train_timesteps: 1000 });
    const alphaBar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    const expected = Array.from({ length: 1000 }, (_, i) => Math.min(1 - alphaBar((i + 1) / 1000) / alphaBar(i / 1000), 0.999));
    expect(maxRelative(scheduler.betas, expected)).toBeLessThan(1e-6);
    expect(scheduler.betas[999]).toBe(Math.fround(0.999));
    // alphas_cumprod follows alpha_bar(t + 1) / alpha_bar(0) until the cap bites at the very end.
    const ac = scheduler.alphasCumprod;
    for (const t of [0, 100, 500, 900]) expect(Math.abs(ac[t]! - alphaBar((t + 1) / 1000) / alphaBar(0)) / ac[t]!).toBeLessThan(1e-4);
  });

  it('sigmoid: sigmoid(linspace(-6, 6, T)) * (beta_end - beta_start) + beta_start', () => {
    const scheduler = DDPMScheduler.fromConfig({ beta_schedule: 'sigmoid', beta_start: 0.0001, beta_end: 0.02, num_train_timesteps: 500 });
    const expected = Array.from({ length: 500 }, (_, i) => (1 / (1 + Math.exp(-(-6 + (12 * i) / 499)))) * (0.02 - 0.0001) + 0.0001);
    expect(maxRelative(scheduler.betas, expected)).toBeLessThan(3e-6);
  });

  it('trained_betas are used as given (rounded to float32)', () => {
    const trained = [0.001, 0.01, 0.1, 0.5];
    const scheduler = DDPMScheduler.fromConfig({ trained_betas: trained, num_train_timesteps: 4, beta_schedule: 'scaled_linear' });
    expect([...scheduler.betas]).toEqual(trained.map(Math.fround));
    expect(maxRelative(scheduler.alphasCumprod, cumprod(trained.map((b) => 1 - b)))).toBeLessThan(1e-6);
  });
});

describe('rescale_betas_zero_snr (rescale_zero_terminal_snr, arXiv 2305.08891 Algorithm 1)', () => {
  const config = { beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, rescale_betas_zero_snr: true };

  // Algorithm 1 in float64 on the float64 scaled-linear schedule.
  const base = Array.from({ length: 1000 }, (_, i) => (0.00085 ** 0.5 + ((0.012 ** 0.5 - 0.00085 ** 0.5) * i) / 999) ** 2);
  const sqrtBar = cumprod(base.map((b) => 1 - b)).map(Math.sqrt);
  const first = sqrtBar[0]!;
  const last = sqrtBar[999]!;
  const rescaled = sqrtBar.map((s) => ((s - last) * first) / (first - last));
  const alphasBar = rescaled.map((s) => s * s);

  it('DDPM: the last alphas_cumprod is exactly 0 (SNR 0), the first is unchanged, the rest follow Algorithm 1', () => {
    const scheduler = DDPMScheduler.fromConfig(config);
    const ac = scheduler.alphasCumprod;
    expect(ac[999]).toBe(0);
    expect(scheduler.betas[999]).toBe(1);
    expect(Math.abs(ac[0]! - alphasBar[0]!) / alphasBar[0]!).toBeLessThan(1e-6);
    let worst = 0;
    for (let t = 0; t < 999; t++) worst = Math.max(worst, Math.abs(ac[t]! - alphasBar[t]!));
    expect(worst).toBeLessThan(2e-6);
    expect(scheduler.snrTable()[999]).toBe(0);
  });

  it('Euler: alphas_cumprod[-1] is clamped to 2^-24, so the largest sigma is sqrt((1 - 2^-24) / 2^-24) ≈ 4096', () => {
    const scheduler = EulerDiscreteScheduler.fromConfig({ ...config, timestep_spacing: 'trailing' });
    expect(scheduler.alphasCumprod[999]).toBe(2 ** -24);
    expect(scheduler.sigmas[0]).toBe(Math.fround(Math.sqrt((1 - 2 ** -24) / 2 ** -24)));
    scheduler.setTimesteps(4);
    expect(scheduler.timesteps[0]).toBe(999);
    expect(scheduler.sigmas[0]).toBeCloseTo(4096, 3);
    expect(scheduler.initNoiseSigma).toBe(scheduler.sigmas[0]); // trailing: max sigma, no sqrt(σ² + 1)
  });
});
