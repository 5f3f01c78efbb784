import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PredictionType } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { UNet2DConditionModel } from '@sdxl-trainer/models';
import { copyFileAtomically, diffusersJson, writeFileAtomically } from './atomicFiles.js';
import { buildModelIndex, type ComponentClass } from './buildModelIndex.js';
import { copyFolderFiles, copyModelComponent } from './copyComponent.js';

/** Where one component's files are on disk, and the weights variant it was loaded with. */
export interface ComponentFolder {
  readonly folder: string;
  readonly variant?: string | undefined;
}

/** The frozen components of the saved pipeline, by their folder name. */
export interface PipelineComponentFolders {
  readonly text_encoder: ComponentFolder;
  readonly text_encoder_2: ComponentFolder;
  readonly tokenizer: ComponentFolder;
  readonly tokenizer_2: ComponentFolder;
  readonly vae: ComponentFolder;
  readonly scheduler: ComponentFolder;
}

/** What {@link saveDiffusersPipeline} writes. */
export interface SavePipelineOptions {
  readonly outputDir: string;
  /** The trained UNet, written with `savePretrained`. */
  readonly unet: UNet2DConditionModel;
  readonly components: PipelineComponentFolders;
  /** The source pipeline's model_index.json, if it has one. */
  readonly modelIndexPath?: string | undefined;
  /** --prediction_type: written into scheduler_config.json when given. */
  readonly predictionType?: PredictionType | undefined;
}

/**
 * Write the final diffusers pipeline folder as train_text_to_image_sdxl.py's `pipeline.save_pretrained(output_dir)`
 * lays it out: the trained `unet/`; `text_encoder`, `text_encoder_2`, `tokenizer`, `tokenizer_2` and `vae` (the
 * swapped VAE when there is one) copied byte for byte from their sources; `scheduler/scheduler_config.json` with
 * `prediction_type` overridden when asked; `model_index.json`. Every file is written atomically.
 */
export async function saveDiffusersPipeline(options: SavePipelineOptions): Promise<void> {
  const { outputDir, components } = options;
  await options.unet.savePretrained(join(outputDir, 'unet'));
  await copyModelComponent(components.text_encoder.folder, join(outputDir, 'text_encoder'), 'transformers', components.text_encoder.variant);
  await copyModelComponent(components.text_encoder_2.folder, join(outputDir, 'text_encoder_2'), 'transformers', components.text_encoder_2.variant);
  await copyModelComponent(components.vae.folder, join(outputDir, 'vae'), 'diffusers', components.vae.variant);
  await copyFolderFiles(components.tokenizer.folder, join(outputDir, 'tokenizer'));
  await copyFolderFiles(components.tokenizer_2.folder, join(outputDir, 'tokenizer_2'));

  const schedulerSource = join(components.scheduler.folder, 'scheduler_config.json');
  const schedulerConfig = await readJson(schedulerSource);
  const schedulerTarget = join(outputDir, 'scheduler', 'scheduler_config.json');
  if (options.predictionType !== undefined && schedulerConfig.prediction_type !== options.predictionType) {
    // why: the script rebuilds the pipeline's scheduler with `from_config(config, prediction_type=...)` before saving.
    await writeFileAtomically(schedulerTarget, diffusersJson({ ...schedulerConfig, prediction_type: options.predictionType }));
  } else {
    await copyFileAtomically(schedulerSource, schedulerTarget);
  }

  const classes: Record<string, ComponentClass> = {
    scheduler: ['diffusers', stringField(schedulerConfig, '_class_name', schedulerSource)],
    text_encoder: ['transformers', await architecture(join(outputDir, 'text_encoder', 'config.json'))],
    text_encoder_2: ['transformers', await architecture(join(outputDir, 'text_encoder_2', 'config.json'))],
    tokenizer: ['transformers', await tokenizerClass(join(outputDir, 'tokenizer'))],
    tokenizer_2: ['transformers', await tokenizerClass(join(outputDir, 'tokenizer_2'))],
    unet: ['diffusers', options.unet.className],
    vae: ['diffusers', stringField(await readJson(join(outputDir, 'vae', 'config.json')), '_class_name', join(outputDir, 'vae', 'config.json'))],
  };
  const source = options.modelIndexPath === undefined ? undefined : await readJson(options.modelIndexPath);
  await writeFileAtomically(join(outputDir, 'model_index.json'), diffusersJson(buildModelIndex(source, classes)));
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new SdxlError(ErrorCode.FILE_NOT_FOUND, `${path}: cannot read it to save the pipeline (${(cause as Error).message})`, { details: { file: path }, cause });
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (cause) {
    throw new SdxlError(ErrorCode.FILE_INVALID, `${path}: not valid JSON (${(cause as Error).message})`, { details: { file: path }, cause });
  }
  throw new SdxlError(ErrorCode.FILE_INVALID, `${path}: expected a JSON object`, { details: { file: path } });
}

function stringField(json: Readonly<Record<string, unknown>>, field: string, path: string): string {
  const value = json[field];
  if (typeof value !== 'string' || value === '') {
    throw new SdxlError(ErrorCode.FILE_INVALID, `${path}: "${field}" must name the class, got ${JSON.stringify(value)}`, { details: { file: path, field } });
  }
  return value;
}

/** transformers' `architectures[0]` of a config.json (CLIPTextModel, CLIPTextModelWithProjection). */
async function architecture(path: string): Promise<string> {
  const architectures = (await readJson(path)).architectures;
  const first = Array.isArray(architectures) ? architectures[0] : undefined;
  if (typeof first !== 'string') throw new SdxlError(ErrorCode.FILE_INVALID, `${path}: "architectures" must list the model class`, { details: { file: path, field: 'architectures' } });
  return first;
}

/** `tokenizer_class` of tokenizer_config.json; CLIPTokenizer (SDXL's) when the file does not say. */
async function tokenizerClass(folder: string): Promise<string> {
  try {
    const value = JSON.parse(await readFile(join(folder, 'tokenizer_config.json'), 'utf8')) as { tokenizer_class?: unknown };
    return typeof value.tokenizer_class === 'string' ? value.tokenizer_class : 'CLIPTokenizer';
  } catch {
    // why: tokenizer_config.json is optional (the tokenizer then loads with defaults); SDXL's tokenizers are CLIPTokenizer.
    return 'CLIPTokenizer';
  }
}
