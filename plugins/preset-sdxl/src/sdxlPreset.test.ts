import { isSdxlError, type SdxlError } from '@sdxl-trainer/errors';
import { describe, expect, it } from 'vitest';
import { presetOptionsOf, sdxlPreset, withPresetOptions } from './sdxlPreset.js';

const base = { pretrainedModelNameOrPath: 'stabilityai/stable-diffusion-xl-base-1.0', datasetName: 'lambdalabs/naruto-blip-captions' };
const names = (plugins: { name: string }[]) => plugins.map((p) => p.name.replace('@sdxl-trainer/plugin-', ''));

function errorOf(fn: () => unknown): SdxlError {
  try {
    fn();
  } catch (error) {
    if (isSdxlError(error)) return error;
    throw error;
  }
  throw new Error('expected an SdxlError');
}

describe('sdxlPreset (train_text_to_image_sdxl.py as a composition)', () => {
  it('with the script defaults: UNet, VAE, text encoding, data, checkpoints and TensorBoard', () => {
    expect(names(sdxlPreset(base))).toEqual(['sdxl-unet', 'sdxl-vae', 'sdxl-text-encoding', 'sdxl-data', 'checkpointing', 'tensorboard']);
  });

  it('switches on each optional behaviour from its flag', () => {
    const plugins = sdxlPreset({
      ...base,
      pretrainedVaeModelNameOrPath: 'madebyollin/sdxl-vae-fp16-fix',
      snrGamma: 5,
      timestepBiasStrategy: 'later',
      timestepBiasMultiplier: 2,
      noiseOffset: 0.05,
      use8bitAdam: true,
      useEma: true,
      validationPrompt: 'a cute naruto creature',
      reportTo: 'none',
    });
    expect(names(plugins)).toEqual([
      'sdxl-unet',
      'sdxl-vae',
      'sdxl-text-encoding',
      'sdxl-data',
      'checkpointing',
      'vae-swap',
      'min-snr',
      'timestep-bias',
      'noise-offset',
      'adam-8bit',
      'ema',
      'validation',
    ]);
  });

  it('reports to W&B with --report_to wandb, and to both with all', () => {
    expect(names(sdxlPreset({ ...base, reportTo: 'wandb' }))).toContain('wandb');
    expect(names(sdxlPreset({ ...base, reportTo: 'all' })).slice(-2)).toEqual(['tensorboard', 'wandb']);
  });

  it('pushes to the Hub with --push_to_hub, after everything else', () => {
    expect(names(sdxlPreset({ ...base, pushToHub: true, hubModelId: 'me/sdxl-naruto' })).at(-1)).toBe('hub-push');
  });

  it('leaves out what the script leaves out: no validation without a prompt or with 0 images, no bias for "none"', () => {
    expect(names(sdxlPreset({ ...base, numValidationImages: 0, validationPrompt: 'x', timestepBiasStrategy: 'none', noiseOffset: 0 }))).not.toContain('validation');
  });

  it('refuses what the script refuses, naming the flag', () => {
    expect(errorOf(() => sdxlPreset({ pretrainedModelNameOrPath: 'x' })).message).toContain('datasetName (--dataset_name) or trainDataDir (--train_data_dir) is required');
    expect(errorOf(() => sdxlPreset({ ...base, hubToken: 'hf_x', reportTo: 'wandb' })).message).toContain('hubToken (--hub_token) together with reportTo wandb');
    expect(errorOf(() => sdxlPreset({ ...base, proportionEmptyPrompts: 1.5 })).message).toContain('proportionEmptyPrompts (--proportion_empty_prompts): got 1.5; expected a number in [0, 1]');
    expect(errorOf(() => sdxlPreset({ ...base, snr_gamma: 5 } as never)).message).toContain('unknown option "snr_gamma"; did you mean "snrGamma"?');
  });

  it('says plainly what is not supported instead of pretending', () => {
    expect(errorOf(() => sdxlPreset({ ...base, reportTo: 'comet_ml' })).message).toMatch(/reportTo \(--report_to\) "comet_ml": not supported/);
  });

  it('remembers its options so flags can be merged into a config file (flags win)', () => {
    const custom = { name: 'my-plugin', apply: () => undefined };
    const plugins = [custom, ...sdxlPreset({ ...base, resolution: 512 })];
    expect(presetOptionsOf(plugins)).toEqual({ ...base, resolution: 512 });
    const merged = withPresetOptions(plugins, { useEma: true, resolution: 1024 });
    expect(merged[0]).toBe(custom);
    expect(presetOptionsOf(merged)).toEqual({ ...base, resolution: 1024, useEma: true });
    expect(names(merged)).toContain('ema');
    expect(() => withPresetOptions([custom], { useEma: true })).toThrow(/the config has none: add sdxlPreset/);
  });
});
