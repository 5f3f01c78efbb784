import type { EmaWeights, Trainer } from '@sdxl-trainer/core';

// why: webpack's getHooks(compilation) pattern — per-trainer data other plugins can reach, gone with the trainer.
const registry = new WeakMap<Trainer, EmaWeights>();

/** The EMA of a trainer the EMA plugin was applied to, or undefined when it runs without EMA. */
export function getEma(trainer: Trainer): EmaWeights | undefined {
  return registry.get(trainer);
}

/** Record a trainer's EMA (called by the plugin in `apply`). */
export function registerEma(trainer: Trainer, weights: EmaWeights): void {
  registry.set(trainer, weights);
}
