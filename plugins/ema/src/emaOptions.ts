import { z } from 'zod';

/**
 * Options of the EMA plugin, with the defaults of diffusers' `EMAModel.__init__` (training_utils.py), which the
 * SDXL script uses unchanged for `--use_ema`.
 */
export const emaOptionsSchema = z
  .object({
    /** Upper bound of the decay (diffusers `decay`, default 0.9999). */
    decay: z.number().min(0).max(1).default(0.9999),
    /** Lower bound of the decay once updates start (diffusers `min_decay`, default 0). */
    minDecay: z.number().min(0).max(1).default(0),
    /** Optimizer steps before the average starts moving (diffusers `update_after_step`, default 0). */
    updateAfterStep: z.number().int().nonnegative().default(0),
    /** Use the `1 - (1 + step / invGamma)^-power` warmup instead of `(1 + step) / (10 + step)` (diffusers `use_ema_warmup`). */
    useEmaWarmup: z.boolean().default(false),
    /** Inverse multiplicative factor of the warmup (diffusers `inv_gamma`, default 1). */
    invGamma: z.number().positive().default(1),
    /** Exponent of the warmup (diffusers `power`, default 2/3). */
    power: z.number().positive().default(2 / 3),
    /** Update every shadow tensor in one tf.tidy (faster, more peak memory) rather than one at a time (diffusers `foreach`). */
    foreach: z.boolean().default(false),
  })
  .strict();

/** Options of {@link emaOptionsSchema} as a user writes them (all optional). */
export type EmaOptions = z.input<typeof emaOptionsSchema>;

/** Options after validation, every default filled. */
export type ResolvedEmaOptions = z.output<typeof emaOptionsSchema>;

/** What each option accepts, for error messages. */
export const EMA_OPTION_EXPECTED: Readonly<Record<keyof ResolvedEmaOptions, string>> = {
  decay: 'a number in [0, 1]',
  minDecay: 'a number in [0, 1]',
  updateAfterStep: 'a non-negative integer',
  useEmaWarmup: 'true or false',
  invGamma: 'a positive number',
  power: 'a positive number',
  foreach: 'true or false',
};
