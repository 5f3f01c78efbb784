import { DenoisingModel, EmaWeights, parseOptions, Stage, type StatefulPlugin, type Trainer } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { emaOptionsSchema, EMA_OPTION_EXPECTED, type EmaOptions } from './emaOptions.js';
import { ExponentialMovingAverage } from './ExponentialMovingAverage.js';
import { registerEma } from './getEma.js';

/** The plugin's name, its tap name and its state key in checkpoints. */
const NAME = '@sdxl-trainer/plugin-ema';

declare module '@sdxl-trainer/core' {
  interface MetricMap {
    /** Decay of the step's EMA update (diffusers' `cur_decay_value`). */
    'ema/decay': number;
  }
}

/**
 * An exponential moving average of the trained weights (`--use_ema`), with diffusers' `EMAModel` semantics: made
 * from the DenoisingModel in beforeTrain, updated after every optimizer step, saved in every checkpoint, swapped
 * into the model before the final save (the script's `ema_unet.copy_to` before `save_pretrained`). Other plugins
 * reach it with `getEma(trainer)` or the `EmaWeights` token.
 */
export default function ema(options: EmaOptions = {}): StatefulPlugin {
  const { foreach, ...schedule } = parseOptions('ema()', emaOptionsSchema, options ?? {}, EMA_OPTION_EXPECTED);
  let average: ExponentialMovingAverage | undefined;
  let owner: Trainer | undefined;
  const live = (what: string): ExponentialMovingAverage => {
    if (average) return average;
    throw new SdxlError(ErrorCode.TRAINER_STATE_INVALID, `EMA ${what} is only possible while the run trains (the average is made in beforeTrain and freed at shutdown)`, {
      plugin: NAME,
    });
  };

  const weights: EmaWeights = {
    get ready() {
      return average !== undefined;
    },
    get optimizationStep() {
      return average?.optimizationStep ?? 0;
    },
    get currentDecay() {
      return average?.currentDecay;
    },
    get shadowParams() {
      return live('shadowParams').shadowParams;
    },
    copyTo: () => live('copyTo()').copyTo(),
    store: () => live('store()').store(),
    restore: () => live('restore()').restore(),
    async withEmaWeights(fn) {
      const current = live('withEmaWeights()');
      current.store();
      current.copyTo();
      try {
        return await fn();
      } finally {
        current.restore();
      }
    },
  };

  return {
    name: NAME,
    apply(trainer) {
      registerEma(trainer, weights);
      owner = trainer;
      trainer.hooks.environment.tap(NAME, () => trainer.container.register(EmaWeights, { useValue: weights }));
      // why Stage.PRE: the average must exist before a checkpoint is restored into it (restores tap at DEFAULT or later).
      trainer.hooks.beforeTrain.tap({ name: NAME, stage: Stage.PRE }, () => {
        average?.dispose();
        average = new ExponentialMovingAverage(trainer.container.resolve(DenoisingModel).trainableVariables, schedule, { foreach });
        trainer.logger.info(`EMA of ${average.shadowParams.size} tensors, decay ≤ ${schedule.decay}${schedule.useEmaWarmup ? ' with warmup' : ''}`);
      });
      // why DEFAULT: after the optimizer step, before checkpointing (saveState) and validation read the shadows.
      trainer.hooks.afterStep.tap(NAME, ({ metrics }) => {
        metrics['ema/decay'] = live('step()').step();
      });
      // why Stage.PRE: the model writer (at DEFAULT) must see the EMA weights; like the script, they stay in afterwards.
      trainer.hooks.saveModel.tap({ name: NAME, stage: Stage.PRE }, () => {
        const current = live('copyTo()');
        if (current.hasStored) current.restore();
        current.copyTo();
      });
      trainer.hooks.shutdown.tap(NAME, () => {
        average?.dispose();
        average = undefined;
      });
    },
    stateDict: () => ({ ...live('stateDict()').stateDict() }),
    loadStateDict(state) {
      const current = live('loadStateDict()');
      const before = current.schedule;
      current.loadStateDict(state);
      const changed = (Object.keys(before) as (keyof typeof before)[]).filter((key) => before[key] !== current.schedule[key]);
      if (changed.length > 0) {
        // why: diffusers' load_state_dict lets the checkpoint's settings win; say so when they differ from the options.
        owner?.logger.warn(`EMA settings from the checkpoint replace the options: ${changed.map((key) => `${key} ${before[key]} -> ${current.schedule[key]}`).join(', ')}`);
      }
    },
  };
}
