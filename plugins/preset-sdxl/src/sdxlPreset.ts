import type { TrainerPlugin } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import adam8bit from '@sdxl-trainer/plugin-adam-8bit';
import checkpointing from '@sdxl-trainer/plugin-checkpointing';
import ema from '@sdxl-trainer/plugin-ema';
import hubPush from '@sdxl-trainer/plugin-hub-push';
import minSnr from '@sdxl-trainer/plugin-min-snr';
import noiseOffset from '@sdxl-trainer/plugin-noise-offset';
import sdxlData from '@sdxl-trainer/plugin-sdxl-data';
import sdxlTextEncoding from '@sdxl-trainer/plugin-sdxl-text-encoding';
import sdxlUnet from '@sdxl-trainer/plugin-sdxl-unet';
import sdxlVae from '@sdxl-trainer/plugin-sdxl-vae';
import tensorboard from '@sdxl-trainer/plugin-tensorboard';
import timestepBias from '@sdxl-trainer/plugin-timestep-bias';
import validation from '@sdxl-trainer/plugin-validation';
import vaeSwap from '@sdxl-trainer/plugin-vae-swap';
import wandb from '@sdxl-trainer/plugin-wandb';
import { parsePresetOptions, type ResolvedSdxlPresetOptions, type SdxlPresetOptions } from './presetOptions.js';

/** Marks the plugins a preset made, with the options it was made from (so the CLI can merge flags into them). */
export const PRESET_OPTIONS_KEY: unique symbol = Symbol.for('@sdxl-trainer/preset-sdxl:options');

/** The query-chunk size `--enable_xformers_memory_efficient_attention` selects. */
const MEMORY_EFFICIENT_CHUNK = 1024;

/**
 * diffusers' train_text_to_image_sdxl.py as one composition: the SDXL UNet, VAE, dual text encoding and data
 * plugins, plus every optional behaviour its flags switch on (Min-SNR, timestep bias, noise offset, 8-bit Adam,
 * EMA, checkpoints, validation, TensorBoard). Core options (batch size, learning rate, schedule, steps, output
 * folder) belong in the run config beside it: `defineConfig({ trainBatchSize: 1, plugins: [sdxlPreset({...})] })`.
 */
export function sdxlPreset(options: SdxlPresetOptions): TrainerPlugin[] {
  const o = parsePresetOptions(options);
  if (o.reportTo === 'comet_ml') {
    throw new SdxlError(ErrorCode.CONFIG_INVALID, 'reportTo (--report_to) "comet_ml": not supported; use "tensorboard", "wandb", "all" or "none"', {
      details: { option: 'reportTo', value: o.reportTo },
    });
  }
  const plugins: TrainerPlugin[] = [
    sdxlUnet({
      pretrainedModel: o.pretrainedModelNameOrPath,
      revision: o.revision,
      variant: o.variant,
      cacheDir: o.cacheDir,
      gradientCheckpointing: o.gradientCheckpointing,
      attentionChunkSize: o.attentionChunkSize ?? (o.enableXformersMemoryEfficientAttention ? MEMORY_EFFICIENT_CHUNK : undefined),
    }),
    sdxlVae({ cacheDir: o.cacheDir }),
    sdxlTextEncoding({ proportionEmptyPrompts: o.proportionEmptyPrompts, emptyPromptMode: o.emptyPromptMode, cacheDir: o.cacheDir }),
    sdxlData({
      datasetName: o.datasetName,
      datasetConfigName: o.datasetConfigName,
      trainDataDir: o.trainDataDir,
      imageColumn: o.imageColumn,
      captionColumn: o.captionColumn,
      maxTrainSamples: o.maxTrainSamples,
      resolution: o.resolution,
      centerCrop: o.centerCrop,
      randomFlip: o.randomFlip,
      imageInterpolationMode: o.imageInterpolationMode,
      cacheDir: o.cacheDir,
      precomputeCacheDir: o.precomputeCacheDir,
      dataloaderNumWorkers: o.dataloaderNumWorkers,
      augmentationVariants: o.augmentationVariants,
    }),
    checkpointing({ totalLimit: o.checkpointsTotalLimit, resumeFrom: o.resumeFromCheckpoint }),
  ];
  if (o.pretrainedVaeModelNameOrPath) plugins.push(vaeSwap({ path: o.pretrainedVaeModelNameOrPath }));
  if (o.snrGamma !== undefined) plugins.push(minSnr({ gamma: o.snrGamma }));
  if (o.timestepBiasStrategy !== 'none') {
    plugins.push(
      timestepBias({ strategy: o.timestepBiasStrategy, multiplier: o.timestepBiasMultiplier, begin: o.timestepBiasBegin, end: o.timestepBiasEnd, portion: o.timestepBiasPortion }),
    );
  }
  if (o.noiseOffset > 0) plugins.push(noiseOffset({ offset: o.noiseOffset }));
  if (o.use8bitAdam) plugins.push(adam8bit());
  if (o.useEma) plugins.push(ema());
  if (o.validationPrompt !== undefined && o.numValidationImages > 0) {
    plugins.push(
      validation({
        prompt: o.validationPrompt,
        numImages: o.numValidationImages,
        numInferenceSteps: o.validationSteps,
        resolution: o.resolution,
        cacheDir: o.cacheDir,
        attentionChunkSize: o.attentionChunkSize ?? (o.enableXformersMemoryEfficientAttention ? MEMORY_EFFICIENT_CHUNK : undefined),
      }),
    );
  }
  if (o.reportTo === 'tensorboard' || o.reportTo === 'all') plugins.push(tensorboard({ logDir: o.loggingDir }));
  if (o.reportTo === 'wandb' || o.reportTo === 'all') plugins.push(wandb());
  if (o.pushToHub) {
    plugins.push(
      hubPush({
        hubModelId: o.hubModelId,
        hubToken: o.hubToken,
        modelCard: {
          baseModel: o.pretrainedModelNameOrPath,
          vae: o.pretrainedVaeModelNameOrPath,
          dataset: o.datasetName ?? o.trainDataDir,
          validationPrompt: o.validationPrompt,
        },
      }),
    );
  }
  for (const plugin of plugins) Object.defineProperty(plugin, PRESET_OPTIONS_KEY, { value: options, enumerable: false });
  return plugins;
}

/** The options of the preset that made these plugins, if any did. */
export function presetOptionsOf(plugins: readonly TrainerPlugin[]): SdxlPresetOptions | undefined {
  for (const plugin of plugins) {
    const options = (plugin as unknown as Record<symbol, unknown>)[PRESET_OPTIONS_KEY];
    if (options) return options as SdxlPresetOptions;
  }
  return undefined;
}

/**
 * Rebuild a plugin list with the preset's options changed (flags win over a config file): the preset's plugins
 * are replaced, where the first of them stood, by a preset made from the merged options. Other plugins stay.
 */
export function withPresetOptions(plugins: readonly TrainerPlugin[], overrides: Partial<SdxlPresetOptions>): TrainerPlugin[] {
  const current = presetOptionsOf(plugins);
  if (!current) throw new SdxlError(ErrorCode.CONFIG_INVALID, 'these options need the SDXL preset, and the config has none: add sdxlPreset({...}) to its plugins');
  const rebuilt = sdxlPreset({ ...current, ...overrides });
  const first = plugins.findIndex((p) => PRESET_OPTIONS_KEY in p);
  const others = plugins.filter((p) => !(PRESET_OPTIONS_KEY in p));
  return [...others.slice(0, first), ...rebuilt, ...others.slice(first)];
}

export type { ResolvedSdxlPresetOptions };
