import type { TrainerPlugin } from '../plugin.js';
import { Stage } from '../Stage.js';

const NAME = '@sdxl-trainer/core:step-logging';

/** Writes a log line (debug level) for every step the flow marks with `shouldLog`, and the epoch boundaries (info). */
export function stepLogging(): TrainerPlugin {
  return {
    name: NAME,
    apply(trainer) {
      trainer.hooks.afterStep.tap({ name: NAME, stage: Stage.REPORT }, ({ step, loss, lr, control, state, metrics }) => {
        if (!control.shouldLog) return;
        const extra = Object.entries(metrics).map(([key, value]) => ` ${key} ${formatNumber(value)}`).join('');
        trainer.logger.debug(`step ${step}/${state.maxSteps} loss ${formatNumber(loss)} lr ${formatNumber(lr)}${extra}`, { step, loss, lr, ...metrics });
      });
      trainer.hooks.afterEpoch.tap({ name: NAME, stage: Stage.REPORT }, ({ epoch, state }) => {
        trainer.logger.info(`epoch ${epoch + 1}/${state.epochs} done at step ${state.globalStep}`);
      });
    },
  };
}

function formatNumber(value: number): string {
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e4 ? value.toFixed(4) : value.toExponential(3);
}
