import { Stage, type ModelSources, type TrainerPlugin } from '@sdxl-trainer/core';
import { sdxlModelSources } from '@sdxl-trainer/sdxl';
import { toyTrainer } from '@sdxl-trainer/tests-toy';
import { describe, expect, it } from 'vitest';
import vaeSwap from './index.js';

/** Provides the pipeline's sources as the SDXL UNet plugin does, records what loadModels sees, stops before training. */
function sourcesProbe(seen: { sources?: ModelSources }, options: { revision?: string; variant?: string } = {}): TrainerPlugin {
  const name = 'test:sources-probe';
  return {
    name,
    apply(trainer) {
      trainer.hooks.resolveModelFiles.tap({ name, stage: Stage.PROVIDE }, (sources) => ({ ...sources, ...sdxlModelSources('stabilityai/stable-diffusion-xl-base-1.0', options) }));
      trainer.hooks.loadModels.tap(name, () => void (seen.sources = trainer.modelSources));
      trainer.hooks.beforeTrain.tap(name, () => trainer.requestStop('the test only checks the sources'));
    },
  };
}

describe('vae-swap (--pretrained_vae_model_name_or_path)', () => {
  it('redirects only vae, to the folder itself, with the pipeline revision and variant as the script passes them', async () => {
    const seen: { sources?: ModelSources } = {};
    await toyTrainer({ plugins: [vaeSwap({ path: 'madebyollin/sdxl-vae-fp16-fix' }), sourcesProbe(seen, { revision: 'v1', variant: 'fp16' })] }).run();
    const pipeline = sdxlModelSources('stabilityai/stable-diffusion-xl-base-1.0', { revision: 'v1', variant: 'fp16' });
    expect(seen.sources).toEqual({ ...pipeline, vae: { path: 'madebyollin/sdxl-vae-fp16-fix', subfolder: undefined, revision: 'v1', variant: 'fp16' } });
  });

  it('runs after the model plugin whatever the plugin order, and takes its own revision and variant (null: none)', async () => {
    const seen: { sources?: ModelSources } = {};
    await toyTrainer({ plugins: [sourcesProbe(seen, { revision: 'v1', variant: 'fp16' }), vaeSwap({ path: '/models/my-vae', revision: 'abc', variant: null })] }).run();
    expect(seen.sources!['vae']).toEqual({ path: '/models/my-vae', subfolder: undefined, revision: 'abc', variant: undefined });
    expect(seen.sources!['unet']).toEqual({ path: 'stabilityai/stable-diffusion-xl-base-1.0', subfolder: 'unet', revision: 'v1', variant: 'fp16' });
  });

  it('refuses bad options naming the flag', () => {
    expect(() => vaeSwap({ path: '' })).toThrow(/path \(--pretrained_vae_model_name_or_path\): got "" \(a string\)/);
    expect(() => vaeSwap({ path: 'a/b', subfolder: 'vae' } as never)).toThrow(/unknown option "subfolder"/);
  });
});
