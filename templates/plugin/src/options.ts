import { z } from 'zod';

/** The plugin's options, checked when the factory is called (strict: an unknown key is an error). */
export const p2WeightingOptionsSchema = z.strictObject({
  /** γ: how strongly low-noise (high-SNR) timesteps are down-weighted. 0 turns the weighting off; the paper uses 0.5 or 1. */
  gamma: z.number().min(0).default(1),
  /** k: keeps the weight finite as SNR → 0. The paper uses 1. */
  k: z.number().positive().default(1),
});

/** Options as a user writes them. */
export type P2WeightingOptions = z.input<typeof p2WeightingOptionsSchema>;
