import { parseOptions, Stage } from '@sdxl-trainer/core';
import type { TrainerPlugin } from '@sdxl-trainer/core';
import { resolve } from 'node:path';
import { TensorboardReporter } from './TensorboardReporter.js';
import { TENSORBOARD_OPTION_EXPECTED, tensorboardOptionsSchema, type TensorboardOptions } from './tensorboardOptions.js';

const NAME = '@sdxl-trainer/plugin-tensorboard';

/**
 * The TensorBoard reporter (`--report_to tensorboard`, the script's default): every `metrics` event becomes scalars
 * (tag = metric name, e.g. `train/loss`) and every `validation:images` event PNG images, in an event file under
 * `logDir`. It subscribes to `trainer.events$` and writes from a queue, so it never blocks the training loop; it
 * flushes every `flushSeconds`, when training ends (afterTrain) and at shutdown; a write error is logged, never thrown.
 */
export default function tensorboard(options: TensorboardOptions = {}): TrainerPlugin {
  const { logDir: logDirOption, flushSeconds } = parseOptions('tensorboard()', tensorboardOptionsSchema, options ?? {}, TENSORBOARD_OPTION_EXPECTED);
  return {
    name: NAME,
    apply(trainer) {
      const reporter = new TensorboardReporter(resolve(trainer.config.outputDir, logDirOption ?? 'logs'), {
        onError: (message) => trainer.logger.error(message),
        onWarning: (message) => trainer.logger.warn(message),
      });
      const subscription = trainer.events$.subscribe((event) => {
        if (event.type === 'metrics') reporter.scalars(event.step, event.values, event.time / 1000);
        else if (event.type === 'validation:images') reporter.images(event.step, event.images, event.time / 1000);
      });
      let timer: NodeJS.Timeout | undefined;
      trainer.hooks.beforeTrain.tap(NAME, () => {
        reporter.start();
        timer = setInterval(() => reporter.flush(), flushSeconds * 1000);
        timer.unref(); // why: a pending flush must never keep the process alive
      });
      // why: what the run logged is on disk before afterTrain's later taps (the Hub push uploads logs/).
      trainer.hooks.afterTrain.tapPromise({ name: NAME, stage: Stage.REPORT }, async () => {
        reporter.flush();
        await reporter.idle();
      });
      trainer.hooks.shutdown.tapPromise(NAME, async () => {
        clearInterval(timer);
        subscription.unsubscribe();
        await reporter.close();
        if (reporter.path) trainer.logger.debug(`TensorBoard events in ${reporter.path}`);
      });
    },
  };
}
