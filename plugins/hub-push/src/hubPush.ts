import { parseOptions, Stage, type InjectionToken, type ModelSources, type RunSummary, type Trainer, type TrainerPlugin } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError, isSdxlError } from '@sdxl-trainer/errors';
import { createRepo, hubSettings, type HubSettings } from '@sdxl-trainer/hub';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HUB_PUSH_OPTION_EXPECTED, hubPushOptionsSchema, type HubPushOptions, type ResolvedHubPushOptions } from './hubPushOptions.js';
import { pushFolder, retryHint } from './pushFolder.js';
import { requestedRepoId, resolveRepoId } from './resolveRepoId.js';
import { retryTransient } from './retryTransient.js';
import { TestImageCollector } from './TestImageCollector.js';
import { trainingFacts } from './trainingFacts.js';
import { writeModelCard } from './writeModelCard.js';

/** The plugin's name, also its tap name. */
export const NAME = '@sdxl-trainer/plugin-hub-push';

declare module '@sdxl-trainer/core' {
  interface TrainerEventMap {
    /** The Hub repo is ready (created or already there), before training. */
    'hub-push:repo': { readonly repoId: string; readonly url: string; readonly created: boolean };
    /** The output folder was pushed: the commit and the repo paths it wrote. */
    'hub-push:pushed': { readonly repoId: string; readonly url: string; readonly commit: string; readonly commitUrl: string; readonly files: readonly string[] };
  }
}

// why: a plugin never imports another plugin; the checkpointing plugin registers its API under this Symbol.for key.
const CHECKPOINTING: InjectionToken<{ readonly outputDir: string }> = Symbol.for('@sdxl-trainer/plugin-checkpointing:Checkpointing');

/**
 * `--push_to_hub`: before any model is loaded the Hub repo is created (`create_repo(hub_model_id or
 * basename(output_dir), exist_ok=True)`), so a missing token or a refused repo fails before training; after the
 * model is saved and the final test images are made, a model card (README.md + `image_{i}.png`) is written into the
 * output folder and the folder's contents are pushed in one commit ("End of training"), resuming after network faults.
 */
export default function hubPush(options: HubPushOptions = {}): TrainerPlugin {
  const settings = parseOptions('hubPush()', hubPushOptionsSchema, options ?? {}, HUB_PUSH_OPTION_EXPECTED);
  return {
    name: NAME,
    apply(trainer) {
      const hubOptions = { token: settings.hubToken, endpoint: settings.endpoint, env: settings.env };
      const testImages = new TestImageCollector();
      const subscription = trainer.events$.subscribe((event) => {
        if (event.type === 'validation:images') testImages.observe(event.images);
      });
      let hub: HubSettings | undefined;
      let requested = '';
      let repo: { repoId: string; url: string } | undefined;

      trainer.hooks.configResolved.tap(NAME, () => {
        hub = checkHubSettings(hubSettings(hubOptions));
        requested = requestedRepoId(settings.hubModelId, trainer.config.outputDir);
        if (settings.pushCheckpoints) warnAboutCheckpoints(trainer);
      });

      // why loadModels at Stage.PRE: the script creates the repo before it loads anything; SDXL downloads and the
      // dataset precompute can take an hour, and a refused token must not surface after them.
      trainer.hooks.loadModels.tapPromise({ name: NAME, stage: Stage.PRE }, async () => {
        repo = await prepareRepo(trainer, requested, hub!, settings);
      });

      // why Stage.POST: after saveModel wrote the pipeline and the validation plugin's final test (afterTrain,
      // Stage.DEFAULT) wrote its images.
      trainer.hooks.afterTrain.tapPromise({ name: NAME, stage: Stage.POST }, async (summary) => {
        if (repo === undefined) return;
        const outputDir = trainer.config.outputDir;
        if (summary.status === 'stopped' && !settings.pushStopped) {
          trainer.logger.warn(
            `not pushing to ${repo.url}: the run was stopped early at step ${summary.globalStep} of ${trainer.state.maxSteps}` +
              ` (${summary.stopReason ?? 'stop requested'}). Push ${outputDir} later with ${retryHint(outputDir, repo.repoId)}, or set pushStopped.`,
          );
          return;
        }
        if (!existsSync(join(outputDir, 'model_index.json'))) {
          trainer.logger.warn(`${outputDir} has no model_index.json (no model plugin saved a diffusers pipeline there); pushing what is there`);
        }
        const stopped = summary.status === 'stopped' ? `stopped early at step ${summary.globalStep} of ${trainer.state.maxSteps}` : undefined;
        if (settings.modelCard !== false) await writeCard(trainer, repo.repoId, summary, settings, testImages, stopped);
        const result = await pushFolder(outputDir, {
          ...hubOptions,
          repoId: repo.repoId,
          private: settings.private,
          commitMessage: stopped === undefined ? settings.commitMessage : `${settings.commitMessage} (${stopped})`,
          pushCheckpoints: settings.pushCheckpoints,
          ignorePatterns: settings.ignorePatterns,
          retries: settings.retries,
          retryDelayMs: settings.retryDelayMs,
          onProgress: (progress) => {
            if (progress.kind === 'phase') trainer.logger.info(`pushing ${outputDir} to ${repo!.url}: ${progress.phase}`);
          },
          onRetry: (attempt, error, delayMs) =>
            trainer.logger.warn(`push to ${repo!.url} failed (attempt ${attempt}): ${(error as Error).message}; retrying in ${(delayMs / 1000).toFixed(1)} s`),
        });
        const attempts = result.attempts > 1 ? `, ${result.attempts} attempts` : '';
        trainer.logger.info(`pushed ${result.files.length} files to ${result.url} (commit ${result.commit.slice(0, 12)}${attempts})`);
        trainer.emit('hub-push:pushed', { repoId: result.repoId, url: result.url, commit: result.commit, commitUrl: result.commitUrl, files: result.files });
      });

      trainer.hooks.shutdown.tap(NAME, () => subscription.unsubscribe());
    },
  };
}

function checkHubSettings(hub: HubSettings): HubSettings {
  if (hub.offline) {
    throw new SdxlError(ErrorCode.CONFIG_INVALID, `--push_to_hub cannot work offline: HF_HUB_OFFLINE is set. Unset it, or leave out the hub-push plugin. Nothing was trained.`, {
      details: { endpoint: hub.endpoint },
    });
  }
  if (hub.token === undefined) {
    throw new SdxlError(
      ErrorCode.HUB_AUTH_REQUIRED,
      `--push_to_hub needs a Hub token with write access to ${hub.endpoint}, and none was found: set HF_TOKEN, pass hubToken ` +
        `(--hub_token), or run \`huggingface-cli login\`. Checked before training, so nothing was trained.`,
      { details: { endpoint: hub.endpoint } },
    );
  }
  return hub;
}

function warnAboutCheckpoints(trainer: Trainer): void {
  if (!trainer.container.isRegistered(CHECKPOINTING, true)) {
    trainer.logger.warn('pushCheckpoints is on, but no checkpointing plugin is in the run: there will be no checkpoint-* folders to push');
    return;
  }
  const folder = trainer.container.resolve(CHECKPOINTING).outputDir;
  if (resolve(folder) !== resolve(trainer.config.outputDir)) {
    trainer.logger.warn(`pushCheckpoints is on, but checkpoints go to ${folder}, outside outputDir ${trainer.config.outputDir}: only outputDir is pushed`);
  }
}

async function prepareRepo(trainer: Trainer, requested: string, hub: HubSettings, settings: ResolvedHubPushOptions): Promise<{ repoId: string; url: string }> {
  let repoId = requested;
  try {
    repoId = await resolveRepoId(requested, hub);
    const { value } = await retryTransient(
      () => createRepo(repoId, { token: hub.token, endpoint: hub.endpoint, env: settings.env, private: settings.private, existOk: true }),
      { retries: settings.retries, delayMs: settings.retryDelayMs },
    );
    const visibility = value.created ? ` (${settings.private === true ? 'private' : 'public'})` : '';
    trainer.logger.info(`${value.created ? 'created the Hub repo' : 'pushing to the existing Hub repo'} ${value.url}${visibility}; the output folder goes there after training`);
    trainer.emit('hub-push:repo', { repoId, url: value.url, created: value.created });
    return { repoId, url: value.url };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SdxlError(
      isSdxlError(error) ? error.code : ErrorCode.HUB_REQUEST_FAILED,
      `--push_to_hub: could not create the Hub repo "${repoId}" on ${hub.endpoint} before training (nothing was trained): ${reason}`,
      { details: { repo: repoId, ...(isSdxlError(error) ? error.details : {}) }, cause: error },
    );
  }
}

async function writeCard(
  trainer: Trainer,
  repoId: string,
  summary: RunSummary,
  settings: ResolvedHubPushOptions,
  testImages: TestImageCollector,
  stopped: string | undefined,
): Promise<void> {
  if (settings.modelCard === false) return;
  const card = settings.modelCard;
  const outputDir = trainer.config.outputDir;
  const sources: ModelSources = trainer.modelSources;
  const unet = sources['unet']?.path;
  const vaeSource = sources['vae']?.path;
  const baseModel = card.baseModel ?? unet;
  const vae = card.vae ?? (vaeSource !== undefined && vaeSource !== unet ? vaeSource : undefined);
  const images = testImages.files(settings.testImagesDir ?? join(outputDir, 'validation', 'final'));
  for (const missing of images.missing) trainer.logger.warn(`final test image ${missing} is missing; the model card shows the others`);
  const written = await writeModelCard(outputDir, {
    repoId,
    baseModel,
    dataset: card.dataset,
    vae,
    validationPrompt: card.validationPrompt ?? testImages.prompt,
    images: images.found,
    license: card.license,
    training: trainingFacts(trainer.config, trainer.state, summary),
    note: stopped === undefined ? undefined : `This run was ${stopped} (${summary.stopReason ?? 'stop requested'}).`,
    // why: the Hub refuses README metadata naming a local path as base_model or dataset.
    onHub: { baseModel: falseIfLocal(baseModel), dataset: falseIfLocal(card.dataset) },
  });
  trainer.logger.info(`wrote the model card ${written.at(-1)} with ${images.found.length} example image${images.found.length === 1 ? '' : 's'}`);
}

/** `false` for nothing or a path on this machine; otherwise undefined, so renderModelCard decides by the id's shape. */
function falseIfLocal(value: string | undefined): false | undefined {
  return value === undefined || existsSync(value) ? false : undefined;
}
