import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger, ModelSources, PredictionType } from '@sdxl-trainer/core';
import { AutoencoderKL, CLIPTextModel, CLIPTextModelWithProjection, resolveModelFiles, type WeightsFormat } from '@sdxl-trainer/models';
import { EulerDiscreteScheduler } from '@sdxl-trainer/schedulers';
import { CLIPTokenizer } from '@sdxl-trainer/tokenizers';
import { locateSources, type LocatedSource } from './locateSources.js';

/** The components a validation pipeline loads itself: everything but the UNet being trained. */
export const FROZEN_COMPONENTS = ['text_encoder', 'text_encoder_2', 'tokenizer', 'tokenizer_2', 'vae', 'scheduler'] as const;

/** One of {@link FROZEN_COMPONENTS}. */
export type FrozenComponentName = (typeof FROZEN_COMPONENTS)[number];

/** The frozen models and settings of a validation pipeline (all but the UNet), and where they came from. */
export interface FrozenComponents {
  readonly vae: AutoencoderKL;
  readonly textEncoder: CLIPTextModel;
  readonly textEncoder2: CLIPTextModelWithProjection;
  readonly tokenizer: CLIPTokenizer;
  readonly tokenizer2: CLIPTokenizer;
  readonly scheduler: EulerDiscreteScheduler;
  /** model_index.json's `force_zeros_for_empty_prompt` next to the text encoders (default true, as diffusers). */
  readonly forceZerosForEmptyPrompt: boolean;
  /** The folder each component was read from. */
  readonly folders: Readonly<Record<FrozenComponentName, string>>;
}

/** How {@link loadFrozenComponents} loads. */
export interface LoadFrozenOptions {
  /** The plugin loading, for messages. */
  readonly plugin: string;
  /** Replaces the scheduler config's `prediction_type` (the script's `--prediction_type` override). */
  readonly predictionType?: PredictionType | undefined;
  readonly cacheDir?: string | undefined;
  /** Queries per attention chunk in the VAE and both text encoders. */
  readonly attentionChunkSize?: number | undefined;
  readonly logger?: Logger | undefined;
}

/**
 * Loads the validation pipeline's frozen components from where the resolveModelFiles waterfall put them (so a swapped
 * VAE is the swapped one), as the script's log_validation reloads them from disk: both tokenizers, both CLIP text
 * encoders and the VAE in float32, and the pipeline's scheduler as EulerDiscreteScheduler from the scheduler source's
 * scheduler_config.json with `prediction_type` overridden when given. On a failure, what was loaded is freed.
 */
export async function loadFrozenComponents(sources: ModelSources, options: LoadFrozenOptions): Promise<FrozenComponents> {
  const located = await locateSources(sources, FROZEN_COMPONENTS, { cacheDir: options.cacheDir, plugin: options.plugin });
  const loaded: { dispose(): void }[] = [];
  const track = <M extends { dispose(): void }>(model: M): M => {
    loaded.push(model);
    return model;
  };
  try {
    const tokenizer = await CLIPTokenizer.fromPretrained(located.tokenizer.root, { subfolder: located.tokenizer.source.subfolder });
    const tokenizer2 = await CLIPTokenizer.fromPretrained(located.tokenizer_2.root, { subfolder: located.tokenizer_2.source.subfolder });
    const textEncoder = track(await CLIPTextModel.fromPretrained(located.text_encoder.root, await weightOptions(located.text_encoder, 'transformers', options.logger)));
    const textEncoder2 = track(await CLIPTextModelWithProjection.fromPretrained(located.text_encoder_2.root, await weightOptions(located.text_encoder_2, 'transformers', options.logger)));
    const vae = track(await AutoencoderKL.fromPretrained(located.vae.root, await weightOptions(located.vae, 'diffusers', options.logger)));
    if (options.attentionChunkSize !== undefined) {
      textEncoder.attentionChunkSize = options.attentionChunkSize;
      textEncoder2.attentionChunkSize = options.attentionChunkSize;
      vae.setAttentionChunkSize(options.attentionChunkSize);
    }
    const scheduler = await loadScheduler(located.scheduler, options);
    const folders = Object.fromEntries(FROZEN_COMPONENTS.map((name) => [name, located[name].folder])) as Record<FrozenComponentName, string>;
    return { vae, textEncoder, textEncoder2, tokenizer, tokenizer2, scheduler, forceZerosForEmptyPrompt: await forceZeros(located.text_encoder.root), folders };
  } catch (error) {
    for (const model of loaded) model.dispose();
    throw error;
  }
}

/** Frees the models' weights (tokenizers and the scheduler hold none). */
export function disposeFrozenComponents(components: FrozenComponents): void {
  components.textEncoder.dispose();
  components.textEncoder2.dispose();
  components.vae.dispose();
}

/** Bytes of float32 weights the frozen models hold. */
export function frozenParameterBytes(components: FrozenComponents): number {
  return (components.textEncoder.parameterCount() + components.textEncoder2.parameterCount() + components.vae.parameterCount()) * 4;
}

/**
 * The script's pipeline scheduler is whatever class the model ships (EulerDiscreteScheduler for SDXL); the pipeline
 * here samples with EulerDiscreteScheduler only, so another class is read as Euler's config, with a warning.
 */
async function loadScheduler(located: LocatedSource, options: LoadFrozenOptions): Promise<EulerDiscreteScheduler> {
  const overrides = options.predictionType === undefined ? undefined : { prediction_type: options.predictionType };
  const scheduler = await EulerDiscreteScheduler.fromPretrained(located.root, { subfolder: located.source.subfolder, overrides });
  const className = (await readJson(join(located.folder, 'scheduler_config.json')))?.['_class_name'];
  if (typeof className === 'string' && className !== 'EulerDiscreteScheduler') {
    options.logger?.warn(`${options.plugin}: the scheduler config at ${located.folder} names ${className}; validation samples with EulerDiscreteScheduler from that config (the only sampler the pipeline has)`);
  }
  return scheduler;
}

/** `{ subfolder, variant }` for fromPretrained: a requested variant the folder lacks falls back to the plain weights, as diffusers pipelines do. */
async function weightOptions(located: LocatedSource, format: WeightsFormat, logger: Logger | undefined): Promise<{ subfolder?: string; variant?: string; trainable: false }> {
  const { subfolder, variant } = located.source;
  const base = { ...(subfolder === undefined ? {} : { subfolder }), trainable: false as const };
  if (variant === undefined || variant === '') return base;
  try {
    await resolveModelFiles(located.root, { subfolder, variant }, format);
    return { ...base, variant };
  } catch {
    logger?.warn(`${located.folder} has no "${variant}" weights; validation loads its plain weights`);
    return base;
  }
}

/** diffusers' `force_zeros_for_empty_prompt` from the pipeline's model_index.json, true when absent (its default). */
async function forceZeros(root: string): Promise<boolean> {
  const value = (await readJson(join(root, 'model_index.json')))?.['force_zeros_for_empty_prompt'];
  return typeof value === 'boolean' ? value : true;
}

/** A JSON object file, or undefined when it is missing or not an object (the loaders report real errors). */
async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const json = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
