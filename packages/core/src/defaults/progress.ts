import type { TrainerPlugin } from '../plugin.js';
import { Stage } from '../Stage.js';

const NAME = '@sdxl-trainer/core:progress';
/** Weight of the newest step in the smoothed step rate. */
const SMOOTHING = 0.3;

/**
 * Emits a `progress` event after every optimizer step: step, loss, learning rate, smoothed steps/s and ETA
 * (webpack's ProgressPlugin idea: progress is a plugin over the same hooks, not part of the loop).
 * The first step is excluded from the rate, since it includes warm-up work (kernel compilation, caches).
 */
export function progress(): TrainerPlugin {
  let started = 0;
  let last = 0;
  let rate = 0;
  return {
    name: NAME,
    apply(trainer) {
      trainer.hooks.beforeTrain.tap({ name: NAME, stage: Stage.REPORT }, () => {
        started = performance.now();
        last = started;
      });
      trainer.hooks.afterStep.tap({ name: NAME, stage: Stage.REPORT }, ({ step, epoch, loss, lr, state }) => {
        const now = performance.now();
        const seconds = (now - last) / 1000;
        last = now;
        const instant = seconds > 0 ? 1 / seconds : 0;
        rate = rate === 0 ? instant : SMOOTHING * instant + (1 - SMOOTHING) * rate;
        const remaining = state.maxSteps - step;
        trainer.emit('progress', {
          step,
          maxSteps: state.maxSteps,
          epoch,
          loss,
          lr,
          stepsPerSecond: rate,
          etaSeconds: rate > 0 ? remaining / rate : Infinity,
          elapsedSeconds: (now - started) / 1000,
        });
      });
    },
  };
}
