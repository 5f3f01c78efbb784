import { f32 } from './float32.js';
import type { NoiseScheduleConfig } from './noiseScheduleConfig.js';
import { rescaleZeroTerminalSnr } from './rescaleZeroTerminalSnr.js';
import { torchLinspaceFloat32 } from './torchLinspace.js';

/**
 * The float32 betas of a config, as diffusers 0.27.2 builds them in `DDPMScheduler.__init__` /
 * `EulerDiscreteScheduler.__init__` (schedulers/scheduling_ddpm.py, scheduling_euler_discrete.py), including
 * `rescale_betas_zero_snr`.
 */
export function computeBetas(config: NoiseScheduleConfig): Float32Array {
  const { num_train_timesteps: n, beta_start: start, beta_end: end } = config;
  let betas: Float32Array;
  if (config.trained_betas !== null) {
    betas = Float32Array.from(config.trained_betas); // torch.tensor(trained_betas, dtype=float32)
  } else if (config.beta_schedule === 'linear') {
    betas = torchLinspaceFloat32(start, end, n);
  } else if (config.beta_schedule === 'scaled_linear') {
    // "this schedule is very specific to the latent diffusion model": linspace of square roots, squared.
    betas = torchLinspaceFloat32(start ** 0.5, end ** 0.5, n).map((b) => b * b);
  } else if (config.beta_schedule === 'squaredcos_cap_v2') {
    betas = betasForAlphaBar(n);
  } else {
    // GeoDiff sigmoid: torch.sigmoid(torch.linspace(-6, 6, n)) * (beta_end - beta_start) + beta_start, float32.
    const scale = f32(end - start);
    const offset = f32(start);
    betas = torchLinspaceFloat32(-6, 6, n).map((x) => f32(f32(f32(1 / f32(1 + f32(Math.exp(-x)))) * scale) + offset));
  }
  return config.rescale_betas_zero_snr ? rescaleZeroTerminalSnr(betas) : betas;
}

/**
 * Glide's cosine schedule, `betas_for_alpha_bar(n, max_beta=0.999, alpha_transform_type="cosine")` of diffusers
 * (computed in float64, then stored as float32).
 */
export function betasForAlphaBar(n: number, maxBeta = 0.999): Float32Array {
  const alphaBar = (t: number): number => Math.cos((((t + 0.008) / 1.008) * Math.PI) / 2) ** 2;
  const betas = new Float32Array(n);
  for (let i = 0; i < n; i++) betas[i] = Math.min(1 - alphaBar((i + 1) / n) / alphaBar(i / n), maxBeta);
  return betas;
}
