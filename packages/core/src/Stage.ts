/**
 * Tap order within one hook (webpack's PROCESS_ASSETS_STAGE_* idea): lower runs first. Plugins tap
 * `{ name, stage: Stage.X }` instead of naming other plugins. The built-in defaults tap at DEFAULT.
 */
export const Stage = {
  /** Before everything else: set-up that others rely on. */
  PRE: -1000,
  /** Replace or provide a value (a sampler, an optimizer factory). */
  PROVIDE: -100,
  /** The default position. */
  DEFAULT: 0,
  /** Adjust what earlier taps produced (loss weights, gradient clipping). */
  REWEIGHT: 100,
  /** Observe final values: metrics and reporting. */
  REPORT: 1000,
  /** After everything else. */
  POST: 2000,
} as const;

/** One of the {@link Stage} values. */
export type Stage = (typeof Stage)[keyof typeof Stage];
