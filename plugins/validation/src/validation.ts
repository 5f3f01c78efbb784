import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EmaWeights, NoiseSchedule, Stage, type PredictionType, type Trainer, type TrainerPlugin } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { UNet2DConditionModel } from '@sdxl-trainer/models';
import { StableDiffusionXLPipeline } from '@sdxl-trainer/pipeline';
import { disposeFrozenComponents, FROZEN_COMPONENTS, frozenParameterBytes, loadFrozenComponents, type FrozenComponents } from './loadFrozenComponents.js';
import { requireSources } from './locateSources.js';
import { publishImages } from './publishImages.js';
import { renderImages, type RenderedImages } from './renderImages.js';
import { imageSize, parseValidationOptions, type ValidationOptions } from './validationOptions.js';

/** The plugin's name: its tap name everywhere. */
export const NAME = '@sdxl-trainer/plugin-validation';

/** The plugin that puts the trained UNet in `trainer.models` and provides the component sources. */
const UNET_PLUGIN = '@sdxl-trainer/plugin-sdxl-unet';

/**
 * Validation images (train_text_to_image_sdxl.py's `--validation_prompt`, `--num_validation_images`, with core's
 * `validationEpochs` cadence): at every `validate` the SDXL pipeline runs on the live UNet — on the EMA weights when
 * the run keeps an average, restored afterwards — with text encoders, tokenizers, VAE and Euler scheduler loaded from
 * `trainer.modelSources`; the PNGs go to `<imagesDir>/step-<step>/` and a `validation:images` event. After training,
 * the script's "test" images are rendered from the saved output folder into `<imagesDir>/final/`.
 */
export default function validation(options: ValidationOptions): TrainerPlugin {
  const settings = parseValidationOptions(NAME, options);
  const size = imageSize(settings.resolution);
  return {
    name: NAME,
    apply(trainer) {
      let cached: FrozenComponents | undefined;
      const imagesDir = (): string => settings.imagesDir ?? join(trainer.config.outputDir, 'validation');
      const seed = (): number => settings.seed ?? trainer.state.seed;
      const render = (pipeline: StableDiffusionXLPipeline): Promise<RenderedImages> =>
        renderImages(pipeline, { prompt: settings.prompt, numImages: settings.numImages, seed: seed(), numInferenceSteps: settings.numInferenceSteps, guidanceScale: settings.guidanceScale, ...size });
      const describe = (): string =>
        `${images(settings.numImages)} of "${settings.prompt}" (${settings.numInferenceSteps} steps, guidance ${settings.guidanceScale}, ${settings.numImages === 1 ? `seed ${seed()}` : `seeds ${seed()}…${seed() + settings.numImages - 1}`})`;
      const release = (): void => {
        if (cached !== undefined) disposeFrozenComponents(cached);
        cached = undefined;
      };

      const load = async (): Promise<FrozenComponents> => {
        const started = performance.now();
        const components = await loadFrozenComponents(trainer.modelSources, {
          plugin: NAME,
          predictionType: trainer.config.predictionType ?? trainingPredictionType(trainer),
          cacheDir: settings.cacheDir,
          attentionChunkSize: settings.attentionChunkSize,
          logger: trainer.logger,
        });
        const mib = (frozenParameterBytes(components) / 2 ** 20).toFixed(1);
        trainer.logger.info(
          `validation pipeline loaded in ${seconds(started)} s: text encoders from ${components.folders.text_encoder} and ${components.folders.text_encoder_2}, VAE from ${components.folders.vae}, ` +
            `EulerDiscreteScheduler (prediction type ${components.scheduler.predictionType}); ${mib} MiB of float32 weights${settings.keepComponentsLoaded ? ', kept until training ends' : ', freed after this validation'}`,
          { folders: components.folders },
        );
        return components;
      };

      // why Stage.POST: after every model plugin loaded, so a missing UNet or source fails before precompute and training.
      trainer.hooks.loadModels.tap({ name: NAME, stage: Stage.POST }, () => {
        liveUnet(trainer);
        requireSources(trainer.modelSources, FROZEN_COMPONENTS, NAME);
      });

      trainer.hooks.validate.tapPromise(NAME, async ({ step }) => {
        const unet = liveUnet(trainer);
        const ema = emaWeights(trainer);
        trainer.logger.info(`validation at step ${step}: rendering ${describe()}${ema ? ', on the EMA weights' : ''}`);
        const started = performance.now();
        const components = cached ?? (await load());
        if (settings.keepComponentsLoaded) cached = components;
        try {
          const { folders: _folders, ...models } = components;
          // why: a pipeline over the live UNet; never pipeline.dispose() — it would free the UNet being trained.
          const pipeline = new StableDiffusionXLPipeline({ ...models, unet });
          const draw = (): Promise<RenderedImages> => render(pipeline);
          const rendered = ema ? await ema.withEmaWeights(draw) : await draw();
          const folder = join(imagesDir(), `step-${step}`);
          await publishImages(trainer, rendered, { folder, tag: 'validation', step, prompt: settings.prompt });
          for (const warning of rendered.warnings) trainer.logger.warn(`validation: ${warning}`);
          trainer.logger.info(`validation at step ${step}: ${images(rendered.seeds.length)} of ${rendered.width}×${rendered.height} in ${seconds(started)} s → ${folder}`);
        } finally {
          if (!settings.keepComponentsLoaded) disposeFrozenComponents(components);
        }
      });

      trainer.hooks.afterTrain.tapPromise(NAME, async (summary) => {
        // why: no validation follows; free the frozen models before the final test loads a whole pipeline.
        release();
        if (!settings.finalTest) return;
        if (summary.status !== 'completed') {
          trainer.logger.info(`no final test images: the run ${summary.status} (${summary.stopReason ?? 'stop requested'})`);
          return;
        }
        const outputDir = resolve(trainer.config.outputDir);
        if (!existsSync(join(outputDir, 'model_index.json'))) {
          trainer.logger.info(`no final test images: ${outputDir} has no model_index.json (no model plugin saved a diffusers pipeline there)`);
          return;
        }
        trainer.logger.info(`final test from ${outputDir}: rendering ${describe()}`);
        const started = performance.now();
        const pipeline = await StableDiffusionXLPipeline.fromPretrained(outputDir, { attentionChunkSize: settings.attentionChunkSize });
        try {
          const rendered = await render(pipeline);
          const folder = join(imagesDir(), 'final');
          await publishImages(trainer, rendered, { folder, tag: 'test', step: summary.globalStep, prompt: settings.prompt });
          trainer.logger.info(`final test: ${images(rendered.seeds.length)} of ${rendered.width}×${rendered.height} in ${seconds(started)} s (loading included) → ${folder}`);
        } finally {
          pipeline.dispose();
        }
      });

      trainer.hooks.shutdown.tap(NAME, release);
    },
  };
}

/** The UNet being trained, from `trainer.models` (put there by the SDXL UNet plugin). Errors leave `plugin` unset so core adds the plugin and the hook. */
function liveUnet(trainer: Trainer): UNet2DConditionModel {
  const unet: unknown = trainer.models.get('unet');
  if (unet === undefined) {
    throw new SdxlError(
      ErrorCode.PLUGIN_MISSING_DEPENDENCY,
      `plugin ${NAME} requires plugin ${UNET_PLUGIN}: validation renders with the UNet being trained, and no plugin put one in trainer.models under "unet" (add sdxlUnet({ pretrainedModel }) to the plugins)`,
    );
  }
  if (!(unet instanceof UNet2DConditionModel)) {
    throw new SdxlError(ErrorCode.PLUGIN_MISSING_DEPENDENCY, `${NAME}: trainer.models "unet" is not a UNet2DConditionModel of @sdxl-trainer/models; validation needs the SDXL UNet (${UNET_PLUGIN})`);
  }
  return unet;
}

/** The run's EMA weights when an EMA plugin registered them and the average exists. */
function emaWeights(trainer: Trainer): EmaWeights | undefined {
  if (!trainer.container.isRegistered(EmaWeights, true)) return undefined;
  const ema = trainer.container.resolve(EmaWeights);
  return ema.ready ? ema : undefined;
}

/**
 * The prediction type the UNet is trained with: the training noise schedule's (the model plugin applies
 * --prediction_type to it), so the sampler agrees even when only the model plugin's option set it.
 */
function trainingPredictionType(trainer: Trainer): PredictionType | undefined {
  return trainer.container.isRegistered(NoiseSchedule, true) ? trainer.container.resolve(NoiseSchedule).predictionType : undefined;
}

function images(count: number): string {
  return `${count} image${count === 1 ? '' : 's'}`;
}

function seconds(started: number): string {
  return ((performance.now() - started) / 1000).toFixed(1);
}
