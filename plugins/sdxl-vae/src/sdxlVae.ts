import { join } from 'node:path';
import { Stage, type TrainerPlugin } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { resolveRepo } from '@sdxl-trainer/hub';
import { AutoencoderKL } from '@sdxl-trainer/models';
import { folderFingerprint, LatentEncoder } from '@sdxl-trainer/sdxl';
import { contentSeededNoise } from './contentSeededNoise.js';
import { latentEncoderId } from './latentEncoderId.js';
import { parseSdxlVaeOptions, type SdxlVaeOptions } from './sdxlVaeOptions.js';
import { VaeLatentEncoder } from './VaeLatentEncoder.js';

/** The plugin's name: its tap name everywhere. */
export const NAME = '@sdxl-trainer/plugin-sdxl-vae';

declare module '@sdxl-trainer/core' {
  interface ModelMap {
    /** The frozen VAE (float32), present from loadModels until precompute ends. */
    vae: AutoencoderKL;
  }
}

/**
 * SDXL's VAE as the run's LatentEncoder (train_text_to_image_sdxl.py's `compute_vae_encodings`): loads the VAE
 * from `trainer.modelSources.vae` (the pipeline's `vae/`, or the folder vae-swap points at) in float32 — the script
 * keeps the VAE in float32 "to avoid NaN losses" — and frees it once the latents are precomputed.
 */
export default function sdxlVae(options: SdxlVaeOptions = {}): TrainerPlugin {
  const settings = parseSdxlVaeOptions(NAME, options);
  return {
    name: NAME,
    apply(trainer) {
      let encoder: VaeLatentEncoder | undefined;

      trainer.hooks.environment.tap(NAME, () => {
        // why: the VAE exists only after loadModels; the data plugins resolve the token later, in prepareDataset / precompute.
        trainer.container.register(LatentEncoder, {
          useFactory: () => {
            if (encoder === undefined) throw new SdxlError(ErrorCode.TRAINER_STATE_INVALID, `${NAME}: the latent encoder exists once the loadModels hook has run`);
            return encoder;
          },
        });
      });

      trainer.hooks.loadModels.tapPromise(NAME, async (models) => {
        const source = trainer.modelSources.vae;
        if (source === undefined) {
          throw new SdxlError(
            ErrorCode.MODEL_SOURCE_MISSING,
            `${NAME}: no source for the "vae" component; add the SDXL UNet plugin (it provides every component's source) or a plugin that sets "vae" in the resolveModelFiles hook`,
            { plugin: NAME, details: { component: 'vae', known: Object.keys(trainer.modelSources) } },
          );
        }
        // why: a pipeline repo's VAE (subfolder "vae") is fetched alone; a swapped VAE repo is the component itself.
        const repo = await resolveRepo(source.path, {
          revision: source.revision,
          variant: source.variant,
          cacheDir: settings.cacheDir,
          subfolders: source.subfolder === undefined || source.subfolder === '' ? undefined : [source.subfolder],
        });
        const vae = await AutoencoderKL.fromPretrained(repo.path, { subfolder: source.subfolder, variant: source.variant, trainable: false });
        models.set('vae', vae);
        const sampleSeed = settings.sampleSeed ?? trainer.config.seed ?? 0;
        encoder = new VaeLatentEncoder(vae, {
          // why: a local folder's contents, not just its path: a VAE rebuilt in the same folder must not reuse cached latents.
          id: latentEncoderId({ source, commit: repo.commit, sampleSeed, files: repo.commit === undefined ? await folderFingerprint(join(repo.path, source.subfolder ?? '')) : undefined }),
          batchSize: settings.batchSize ?? trainer.config.trainBatchSize,
          noise: contentSeededNoise(sampleSeed),
        });
        trainer.logger.info(`VAE from ${join(repo.path, source.subfolder ?? '')} (float32, scaling factor ${vae.scalingFactor}); latents sampled with seed ${sampleSeed}`);
      });

      // why: the script deletes the VAE once the latents are cached; validation loads its own.
      trainer.hooks.precompute.tap({ name: NAME, stage: Stage.POST }, (dataset) => {
        if (encoder !== undefined && !encoder.released) {
          encoder.release();
          trainer.models.delete('vae');
          trainer.logger.debug('VAE released after precompute');
        }
        return dataset;
      });

      trainer.hooks.shutdown.tap(NAME, () => {
        encoder?.release();
        trainer.models.delete('vae');
        encoder = undefined;
      });
    },
  };
}
