import { f32 } from './float32.js';
import { torchCumprod } from './torchCumprod.js';

/**
 * Rescales betas to zero terminal SNR (Lin et al., "Common Diffusion Noise Schedules and Sample Steps are Flawed",
 * arXiv 2305.08891, Algorithm 1), as diffusers' `rescale_zero_terminal_snr` (schedulers/scheduling_ddpm.py) does it
 * in float32: shift sqrt(alphas_cumprod) so the last is 0, scale so the first is unchanged, undo the cumprod.
 */
export function rescaleZeroTerminalSnr(betas: Float32Array): Float32Array {
  const n = betas.length;
  const alphasCumprod = torchCumprod(betas.map((beta) => 1 - beta));
  const sqrtBar = alphasCumprod.map((value) => Math.sqrt(value));
  const first = sqrtBar[0]!;
  const last = sqrtBar[n - 1]!;
  const scale = f32(first / f32(first - last));
  const alphasBar = sqrtBar.map((value) => {
    const shifted = f32(f32(value - last) * scale);
    return shifted * shifted;
  });
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const alpha = i === 0 ? alphasBar[0]! : f32(alphasBar[i]! / alphasBar[i - 1]!);
    out[i] = 1 - alpha;
  }
  return out;
}
