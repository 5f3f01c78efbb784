import type { PredictionType } from '@sdxl-trainer/core';

/** What {@link minSnrWeights} needs besides the SNR table and the timesteps. */
export interface MinSnrWeightOptions {
  /** γ of Min-SNR-γ (--snr_gamma). */
  readonly gamma: number;
  readonly predictionType: PredictionType;
  /** Give SNR 0 the limit weight 1 with epsilon prediction instead of diffusers' 0 / 0 = NaN. */
  readonly guardZeroSnr?: boolean;
}

const f32 = Math.fround;

/**
 * Min-SNR-γ loss weights (Hang et al., arXiv 2303.09556; diffusers --snr_gamma) of the given timesteps, in float32
 * as train_text_to_image_sdxl.py computes them: `min(snr, γ)` divided by `snr` for epsilon, by `snr + 1` for
 * v_prediction, and not divided for sample. `snr` is the per-timestep table of {@link snrTable}.
 */
export function minSnrWeights(snr: Float32Array, timesteps: ArrayLike<number>, options: MinSnrWeightOptions): Float32Array {
  // why: the script builds γ as `args.snr_gamma * torch.ones_like(timesteps)`, a float32 tensor.
  const gamma = f32(options.gamma);
  const weights = new Float32Array(timesteps.length);
  for (let i = 0; i < timesteps.length; i++) {
    const t = timesteps[i]!;
    const s = snr[t];
    if (s === undefined) throw new RangeError(`timestep ${t} is outside the SNR table [0, ${snr.length})`);
    // why: torch.stack([snr, γ], dim=1).min(dim=1) propagates NaN, as Math.min does.
    const capped = Math.min(s, gamma);
    if (options.predictionType === 'epsilon') {
      // why: min(snr, γ) / snr → 1 as snr → 0; diffusers computes 0 / 0 = NaN (its guard of #5177 was removed in #5238).
      weights[i] = s === 0 && options.guardZeroSnr ? 1 : capped / s;
    } else if (options.predictionType === 'v_prediction') {
      weights[i] = capped / f32(s + 1);
    } else {
      weights[i] = capped;
    }
  }
  return weights;
}
