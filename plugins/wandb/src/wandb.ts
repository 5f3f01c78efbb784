import { parseOptions, Stage, type TrainerPlugin } from '@sdxl-trainer/core';
import { resolveWandbSettings, type WandbSettings } from './resolveWandbSettings.js';
import { MANIFEST_FORMAT, RunFolder, type RunManifest } from './RunFolder.js';
import { runConfig } from './runConfig.js';
import { WandbClient } from './WandbClient.js';
import { WANDB_OPTION_EXPECTED, wandbOptionsSchema, type WandbOptions } from './wandbOptions.js';
import { WandbReporter } from './WandbReporter.js';

const NAME = '@sdxl-trainer/plugin-wandb';

/**
 * The Weights & Biases reporter (`--report_to wandb`): in beforeTrain it opens a run folder under `<dir>/wandb/` and
 * (online) creates the run on the server with the run's config; every `metrics` and `validation:images` event becomes
 * a history row (one per step, images as W&B image media), written to disk first and sent in the background, so the
 * training loop never waits for the network and nothing is lost when the server is slow or away — what was not
 * delivered by the end stays in the folder for `sdxl-train wandb-sync`. Options override the WANDB_* variables.
 * It never fails a run: a refused key or an unreachable server is logged, not thrown.
 */
export default function wandb(options: WandbOptions = {}): TrainerPlugin {
  const resolved = parseOptions('wandb()', wandbOptionsSchema, options ?? {}, WANDB_OPTION_EXPECTED);
  return {
    name: NAME,
    apply(trainer) {
      let settings: WandbSettings | undefined;
      let reporter: WandbReporter | undefined;
      trainer.hooks.configResolved.tap(NAME, (config) => {
        settings = resolveWandbSettings(resolved, resolved.env ?? process.env, config.outputDir);
      });
      trainer.hooks.beforeTrain.tapPromise({ name: NAME, stage: Stage.REPORT }, async () => {
        if (!settings || settings.mode === 'disabled') return;
        if (settings.note) trainer.logger.warn(`W&B: ${settings.note}`);
        const startTimeMs = Date.now();
        let folder: RunFolder;
        try {
          folder = await RunFolder.create(settings.wandbDir, manifestOf(settings, startTimeMs), runConfig(trainer.config, trainer.state.seed, resolved.config));
        } catch (error) {
          trainer.logger.error(`W&B: cannot write a run folder in ${settings.wandbDir} (${error instanceof Error ? error.message : String(error)}); nothing is logged to W&B this run`);
          return;
        }
        const client = settings.mode === 'online' && settings.apiKey ? new WandbClient({ baseUrl: settings.baseUrl, apiKey: settings.apiKey }) : undefined;
        reporter = new WandbReporter({ folder, client, logger: trainer.logger, startTimeMs, flushMs: resolved.flushSeconds * 1000, finishTimeoutMs: resolved.finishTimeoutSeconds * 1000 });
        reporter.start(trainer.events$);
      });
      trainer.hooks.shutdown.tapPromise(NAME, async (summary) => {
        // why: W&B's exit code: 0 for a run that ended normally (stopped early included), 1 for a failed one.
        await reporter?.finish(summary.status === 'failed' ? 1 : 0);
      });
    },
  };
}

function manifestOf(settings: WandbSettings, startTimeMs: number): RunManifest {
  return {
    format: MANIFEST_FORMAT,
    version: 1,
    id: settings.runId,
    idGiven: settings.runIdGiven,
    project: settings.project,
    entity: settings.entity,
    displayName: settings.displayName,
    notes: settings.notes,
    group: settings.group,
    tags: settings.tags,
    resume: settings.resume,
    mode: settings.mode === 'offline' ? 'offline' : 'online',
    startTime: startTimeMs / 1000,
  };
}
