import type { ResolvedConfig } from '../config/schema.js';
import type { TrainerPlugin } from '../plugin.js';
import { Stage } from '../Stage.js';

const NAME = '@sdxl-trainer/core:default-flow';

/**
 * Turns the cadence options into control flags (transformers' DefaultFlowCallback): log every
 * `loggingSteps` steps (and the last), ask for a checkpoint every `checkpointingSteps` steps, ask for
 * validation after every `validationEpochs`-th epoch (diffusers: `epoch % validation_epochs == 0`).
 */
export function defaultFlow(config: ResolvedConfig): TrainerPlugin {
  return {
    name: NAME,
    apply(trainer) {
      trainer.hooks.afterStep.tap({ name: NAME, stage: Stage.PRE }, ({ step, control, state }) => {
        if (step % config.loggingSteps === 0 || step === state.maxSteps) control.shouldLog = true;
        if (config.checkpointingSteps !== null && step % config.checkpointingSteps === 0) control.shouldSave = true;
      });
      trainer.hooks.afterEpoch.tap({ name: NAME, stage: Stage.PRE }, ({ epoch, control }) => {
        if (epoch % config.validationEpochs === 0) control.shouldValidate = true;
      });
    },
  };
}
