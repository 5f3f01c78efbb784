import { parseOptions, Stage, type TrainerPlugin } from '@sdxl-trainer/core';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checkpointsToRemove, listCheckpoints } from './checkpointFolders.js';
import { CheckpointingApi, registerCheckpointing } from './CheckpointingApi.js';
import { CHECKPOINTING_OPTION_EXPECTED, checkpointingOptionsSchema, type CheckpointingOptions } from './checkpointingOptions.js';
import { readCheckpoint } from './readCheckpoint.js';
import { recoverLeftovers } from './recoverLeftovers.js';
import { resolveResumeFolder } from './resolveResumeFolder.js';
import { writeCheckpoint, type CheckpointWriter } from './writeCheckpoint.js';

const NAME = '@sdxl-trainer/plugin-checkpointing';

/**
 * Checkpoints as train_text_to_image_sdxl.py writes and reads them (`--checkpointing_steps`,
 * `--checkpoints_total_limit`, `--resume_from_checkpoint`): on every saveState, `<outputDir>/checkpoint-<step>/`
 * with the whole snapshot (model, optimizer, LR schedule, random streams, data position, every plugin's state),
 * written atomically; in beforeTrain, resume from `'latest'` or a named checkpoint with `trainer.restore()`.
 */
export default function checkpointing(options: CheckpointingOptions = {}): TrainerPlugin {
  const { outputDir: outputDirOption, checkpointingSteps, totalLimit, resumeFrom } = parseOptions('checkpointing()', checkpointingOptionsSchema, options ?? {}, CHECKPOINTING_OPTION_EXPECTED);
  return {
    name: NAME,
    apply(trainer) {
      const outputDir = outputDirOption ?? trainer.config.outputDir;
      const writers: CheckpointWriter[] = [];
      let lastSaved: string | undefined;
      let resumedFrom: string | undefined;
      const api: CheckpointingApi = {
        outputDir,
        addWriter: (writer) => void writers.push(writer),
        get lastSaved() {
          return lastSaved;
        },
        get resumedFrom() {
          return resumedFrom;
        },
      };
      registerCheckpointing(trainer, api);
      trainer.hooks.environment.tap(NAME, () => trainer.container.register(CheckpointingApi, { useValue: api }));

      if (checkpointingSteps !== undefined) {
        trainer.hooks.afterStep.tap({ name: NAME, stage: Stage.PRE }, ({ step, control }) => {
          if (step % checkpointingSteps === 0) control.shouldSave = true;
        });
      }

      // why Stage.DEFAULT: stateful plugins that build their state in beforeTrain (EMA) do it at Stage.PRE, before this restore.
      trainer.hooks.beforeTrain.tapPromise(NAME, async () => {
        const { removed, recovered } = await recoverLeftovers(outputDir);
        if (removed.length > 0) trainer.logger.warn(`removed unfinished checkpoint folders from an interrupted save: ${removed.join(', ')}`);
        if (recovered.length > 0) trainer.logger.warn(`restored checkpoints an interrupted save had moved aside: ${recovered.join(', ')}`);
        if (resumeFrom === undefined) return;
        const folder = await resolveResumeFolder(resumeFrom, outputDir);
        if (folder === undefined) {
          trainer.logger.info(`Checkpoint '${resumeFrom}' does not exist in ${outputDir}. Starting a new training run.`);
          return;
        }
        trainer.logger.info(`Resuming from checkpoint ${folder}`);
        const loaded = await readCheckpoint(folder);
        try {
          await trainer.restore(loaded.snapshot);
        } finally {
          loaded.dispose();
        }
        resumedFrom = folder;
      });

      trainer.hooks.saveState.tapPromise(NAME, async (context) => {
        const started = performance.now();
        // why: the script's rotation set (oldest `count - limit + 1` before saving), removed only once the new
        // checkpoint is in place, so a failed save never costs a checkpoint.
        const remove = checkpointsToRemove((await listCheckpoints(outputDir)).filter((c) => c.step !== context.step), totalLimit);
        lastSaved = await writeCheckpoint(outputDir, context, writers);
        if (remove.length > 0) {
          trainer.logger.info(`${remove.length + (totalLimit ?? 0) - 1} checkpoints already exist, removing ${remove.length}: ${remove.map((c) => c.name).join(', ')}`);
          for (const old of remove) await rm(join(outputDir, old.name), { recursive: true, force: true });
        }
        trainer.logger.info(`saved state to ${lastSaved} in ${((performance.now() - started) / 1000).toFixed(2)} s`);
      });
    },
  };
}
