/** The numbers diffusers' `EMAModel.get_decay` reads. */
export interface EmaDecaySchedule {
  readonly decay: number;
  readonly minDecay: number;
  readonly updateAfterStep: number;
  readonly useEmaWarmup: boolean;
  readonly invGamma: number;
  readonly power: number;
}

/**
 * Decay of the EMA update at a 1-based optimization step, as diffusers' `EMAModel.get_decay`
 * (src/diffusers/training_utils.py): 0 until `updateAfterStep + 1` steps have passed (so the first update copies the
 * weights), then `(1 + s) / (10 + s)` — or the warmup `1 - (1 + s / invGamma)^-power` — with
 * `s = step - updateAfterStep - 1`, capped at `decay` and floored at `minDecay`.
 */
export function emaDecay(optimizationStep: number, schedule: EmaDecaySchedule): number {
  const step = Math.max(0, optimizationStep - schedule.updateAfterStep - 1);
  if (step <= 0) return 0;
  const value = schedule.useEmaWarmup ? 1 - (1 + step / schedule.invGamma) ** -schedule.power : (1 + step) / (10 + step);
  return Math.max(Math.min(value, schedule.decay), schedule.minDecay);
}
