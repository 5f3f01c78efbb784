import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  configError,
  DenoisingModel,
  NoiseSchedule,
  Stage,
  type ModelSource,
  type PredictionType,
  type Trainer,
  type TrainerPlugin,
} from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { UNet2DConditionModel } from '@sdxl-trainer/models';
import { DDPMScheduler } from '@sdxl-trainer/schedulers';
import { getSdxlHooks, sdxlModelSources, type SdxlComponent } from '@sdxl-trainer/sdxl';
import { saveDiffusersPipeline, type ComponentFolder } from './saveDiffusersPipeline.js';
import { parseSdxlUnetOptions, type SdxlUnetOptions } from './sdxlUnetOptions.js';
import { SourceFolders } from './SourceFolders.js';
import { UNetDenoiser } from './UNetDenoiser.js';
import { addUnetCheckpointWriter } from './unetCheckpointWriter.js';

/** The plugin's name: its tap name everywhere. */
export const NAME = '@sdxl-trainer/plugin-sdxl-unet';

declare module '@sdxl-trainer/core' {
  interface ModelMap {
    /** The trained SDXL UNet (float32, trainable). */
    unet: UNet2DConditionModel;
    /** The training noise schedule (always DDPM, as the script's `noise_scheduler`). */
    noise_scheduler: DDPMScheduler;
  }
}

/**
 * The SDXL UNet as the model a run trains (train_text_to_image_sdxl.py's `--pretrained_model_name_or_path`,
 * `--revision`, `--variant`, `--prediction_type`, `--gradient_checkpointing`,
 * `--enable_xformers_memory_efficient_attention`): provides every SDXL component's source, loads the UNet
 * (trainable, float32) and the DDPM training schedule, registers them as core's DenoisingModel and NoiseSchedule,
 * writes `unet/` into every checkpoint, and saves the final diffusers pipeline folder.
 */
export default function sdxlUnet(options: SdxlUnetOptions): TrainerPlugin {
  const settings = parseSdxlUnetOptions(NAME, options);
  return {
    name: NAME,
    apply(trainer) {
      const folders = new SourceFolders({
        cacheDir: settings.cacheDir,
        onResolved: (repo, source) => {
          if (!repo.local) trainer.logger.info(`${source.path}@${source.revision ?? 'main'}: commit ${repo.commit}, ${repo.downloaded.length} files downloaded, ${repo.cached.length} cached`, { path: repo.path });
        },
      });
      let denoiser: UNetDenoiser | undefined;
      let schedule: DDPMScheduler | undefined;
      let predictionType: PredictionType | undefined;

      trainer.hooks.environment.tap(NAME, () => {
        // why: the models exist only after loadModels; core resolves both tokens later, when the run is prepared.
        trainer.container.register(DenoisingModel, { useFactory: () => loaded(denoiser, 'the UNet') });
        trainer.container.register(NoiseSchedule, { useFactory: () => loaded(schedule, 'the DDPM noise schedule') });
      });

      trainer.hooks.configResolved.tap(NAME, (config) => {
        if (settings.predictionType !== undefined && config.predictionType !== undefined && settings.predictionType !== config.predictionType) {
          throw configError(NAME, [
            {
              path: 'predictionType',
              value: settings.predictionType,
              expected: `"${config.predictionType}" (the run config's predictionType) or nothing`,
              message: `predictionType (--prediction_type): got "${settings.predictionType}", but the run config says "${config.predictionType}"; set it in one place`,
            },
          ]);
        }
        predictionType = settings.predictionType ?? config.predictionType;
      });

      trainer.hooks.resolveModelFiles.tap({ name: NAME, stage: Stage.PROVIDE }, (sources) => ({
        ...sources,
        ...sdxlModelSources(settings.pretrainedModel, { revision: settings.revision, variant: settings.variant }),
      }));

      trainer.hooks.loadModels.tapPromise(NAME, async (models) => {
        const unetSource = await folders.resolve(requireSource(trainer, 'unet'));
        const unet = await UNet2DConditionModel.fromPretrained(unetSource.root, { subfolder: unetSource.source.subfolder, variant: unetSource.source.variant, trainable: true });
        if (settings.gradientCheckpointing) unet.enableGradientCheckpointing();
        unet.setAttentionChunkSize(settings.attentionChunkSize);
        models.set('unet', unet);
        denoiser = new UNetDenoiser(unet, getSdxlHooks(trainer).conditioning);
        trainer.logger.info(
          `UNet from ${unetSource.folder}: ${unet.parameterCount(true)} trainable parameters in ${denoiser.trainableVariables.size} tensors (float32)` +
            `${settings.gradientCheckpointing ? ', gradient checkpointing' : ''}${settings.attentionChunkSize === undefined ? '' : `, attention in chunks of ${settings.attentionChunkSize} queries`}`,
        );

        // why: the script always trains with DDPMScheduler.from_pretrained(..., subfolder="scheduler"), whatever class
        // the folder's scheduler_config.json names (SDXL base ships EulerDiscreteScheduler).
        const schedulerSource = await folders.resolve(requireSource(trainer, 'scheduler'));
        schedule = await DDPMScheduler.fromPretrained(schedulerSource.root, {
          subfolder: schedulerSource.source.subfolder,
          overrides: predictionType === undefined ? undefined : { prediction_type: predictionType },
        });
        models.set('noise_scheduler', schedule);
        trainer.logger.info(`DDPM noise schedule from ${join(schedulerSource.folder, 'scheduler_config.json')}: ${schedule.numTrainTimesteps} timesteps, prediction type ${schedule.predictionType}`);
        if (schedule.ignoredConfigFields.length > 0) trainer.logger.debug(`DDPMScheduler ignored ${schedule.ignoredConfigFields.join(', ')} of the scheduler config`);
      });

      trainer.hooks.beforeTrain.tap(NAME, () => {
        if (addUnetCheckpointWriter(trainer, NAME, () => loaded(denoiser, 'the UNet').unet)) trainer.logger.debug('every checkpoint gets the diffusers unet/ folder');
      });

      trainer.hooks.saveModel.tapPromise(NAME, async ({ outputDir }) => {
        const unet = loaded(denoiser, 'the UNet').unet;
        const component = async (name: SdxlComponent): Promise<ComponentFolder> => {
          const local = await folders.resolve(requireSource(trainer, name));
          return { folder: local.folder, variant: local.source.variant };
        };
        const unetRoot = (await folders.resolve(requireSource(trainer, 'unet'))).root;
        const modelIndexPath = join(unetRoot, 'model_index.json');
        await saveDiffusersPipeline({
          outputDir,
          unet,
          components: {
            text_encoder: await component('text_encoder'),
            text_encoder_2: await component('text_encoder_2'),
            tokenizer: await component('tokenizer'),
            tokenizer_2: await component('tokenizer_2'),
            vae: await component('vae'),
            scheduler: await component('scheduler'),
          },
          modelIndexPath: existsSync(modelIndexPath) ? modelIndexPath : undefined,
          predictionType,
        });
        trainer.logger.info(`saved the diffusers pipeline to ${outputDir}`);
      });

      trainer.hooks.shutdown.tap(NAME, () => {
        denoiser?.unet.dispose();
        schedule?.dispose();
        trainer.models.delete('unet');
        trainer.models.delete('noise_scheduler');
        denoiser = undefined;
        schedule = undefined;
      });
    },
  };
}

function loaded<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new SdxlError(ErrorCode.TRAINER_STATE_INVALID, `${NAME}: ${what} is not loaded (it is loaded in the loadModels hook and released at shutdown)`);
  return value;
}

function requireSource(trainer: Trainer, component: SdxlComponent): ModelSource {
  const source = trainer.modelSources[component];
  if (source === undefined) {
    const known = Object.keys(trainer.modelSources);
    throw new SdxlError(
      ErrorCode.MODEL_SOURCE_MISSING,
      `${NAME}: no source for the "${component}" component; the resolveModelFiles waterfall left ${known.length > 0 ? known.join(', ') : 'nothing'} (a plugin tapping it must return the sources it received)`,
      { plugin: NAME, details: { component, known } },
    );
  }
  return source;
}
