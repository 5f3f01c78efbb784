import { computeBetas } from './betaSchedule.js';
import type { NoiseScheduleConfig } from './noiseScheduleConfig.js';
import { torchCumprod } from './torchCumprod.js';

/** The float32 tables of a diffusion noise schedule, indexed by training timestep. */
export interface NoiseSchedule {
  readonly betas: Float32Array;
  /** 1 - betas. */
  readonly alphas: Float32Array;
  /** cumprod(alphas): the signal fraction ᾱ_t of x_t = sqrt(ᾱ_t)·x0 + sqrt(1 - ᾱ_t)·ε. */
  readonly alphasCumprod: Float32Array;
}

/** betas, alphas = 1 - betas and alphas_cumprod, computed as diffusers does on PyTorch's CPU in float32. */
export function computeNoiseSchedule(config: NoiseScheduleConfig): NoiseSchedule {
  const betas = computeBetas(config);
  const alphas = betas.map((beta) => 1 - beta);
  return { betas, alphas, alphasCumprod: torchCumprod(alphas) };
}
