import { Stage, type ModelSource, type ModelSources, type TrainerPlugin } from '@sdxl-trainer/core';
import { parseVaeSwapOptions, type VaeSwapOptions } from './vaeSwapOptions.js';

/** The plugin's name: its tap name everywhere. */
export const NAME = '@sdxl-trainer/plugin-vae-swap';

/**
 * `--pretrained_vae_model_name_or_path`: train (and save the final pipeline) with another VAE, e.g.
 * madebyollin/sdxl-vae-fp16-fix. It redirects the `vae` source in the resolveModelFiles waterfall, after the model
 * plugin provided it: the VAE is then loaded from the folder itself, without `subfolder="vae"`, with the pipeline's
 * revision and variant unless told otherwise — exactly the script's `AutoencoderKL.from_pretrained(vae_path,
 * subfolder=None, revision=args.revision, variant=args.variant)`.
 */
export default function vaeSwap(options: VaeSwapOptions): TrainerPlugin {
  const settings = parseVaeSwapOptions(NAME, options);
  return {
    name: NAME,
    apply(trainer) {
      trainer.hooks.resolveModelFiles.tap({ name: NAME, stage: Stage.DEFAULT }, (sources): ModelSources => {
        const pipeline = sources.vae;
        const vae: ModelSource = {
          path: settings.path,
          subfolder: undefined,
          revision: settings.revision === undefined ? pipeline?.revision : (settings.revision ?? undefined),
          variant: settings.variant === undefined ? pipeline?.variant : (settings.variant ?? undefined),
        };
        trainer.logger.info(`VAE from ${settings.path}${vae.revision === undefined ? '' : `@${vae.revision}`} instead of ${pipeline === undefined ? 'the pipeline' : `${pipeline.path}/${pipeline.subfolder ?? ''}`}`);
        return { ...sources, vae };
      });
    },
  };
}
