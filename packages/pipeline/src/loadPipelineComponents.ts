import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { AutoencoderKL, CLIPTextModel, CLIPTextModelWithProjection, UNet2DConditionModel, type WeightsFormat } from '@sdxl-trainer/models';
import { EulerDiscreteScheduler } from '@sdxl-trainer/schedulers';
import { CLIPTokenizer } from '@sdxl-trainer/tokenizers';
import { hasVariantWeights } from './componentVariant.js';
import type { PipelineComponents } from './PipelineComponents.js';
import { readModelIndex, type ModelIndex } from './readModelIndex.js';

/** How {@link loadPipelineComponents} reads a local pipeline folder. */
export interface LoadComponentsOptions {
  /** Weights variant (`fp16`, ...): components that have it load it, the others their plain weights (as diffusers). */
  readonly variant?: string | undefined;
  /** Queries per attention chunk in every model (memory-efficient attention, same numbers). */
  readonly attentionChunkSize?: number | undefined;
}

/** The loaded components, what model_index.json said, and which models lacked the requested variant. */
export interface LoadedComponents {
  readonly components: PipelineComponents;
  readonly modelIndex: ModelIndex;
  /** Model components that had no weights of the requested variant and loaded their plain weights. */
  readonly variantFallbacks: readonly string[];
}

const MODEL_FORMATS: Readonly<Record<'vae' | 'text_encoder' | 'text_encoder_2' | 'unet', WeightsFormat>> = {
  vae: 'diffusers',
  text_encoder: 'transformers',
  text_encoder_2: 'transformers',
  unet: 'diffusers',
};

/**
 * Loads every component of a local StableDiffusionXLPipeline folder, the classes checked against model_index.json
 * first. Frozen models read their weights one tensor at a time (no second copy); on a failure the models loaded so
 * far are freed before the error is rethrown.
 */
export async function loadPipelineComponents(folder: string, options: LoadComponentsOptions = {}): Promise<LoadedComponents> {
  const modelIndex = await readModelIndex(folder);
  const variants = await resolveVariants(folder, options.variant);
  const loaded: { dispose(): void }[] = [];
  const track = <M extends { dispose(): void }>(model: M): M => {
    loaded.push(model);
    return model;
  };
  try {
    const tokenizer = await CLIPTokenizer.fromPretrained(folder, { subfolder: 'tokenizer' });
    const tokenizer2 = await CLIPTokenizer.fromPretrained(folder, { subfolder: 'tokenizer_2' });
    const scheduler = await EulerDiscreteScheduler.fromPretrained(folder, { subfolder: 'scheduler' });
    const variantOf = (subfolder: keyof typeof MODEL_FORMATS) => (variants.used.has(subfolder) ? { variant: options.variant } : {});
    const textEncoder = track(await CLIPTextModel.fromPretrained(folder, { subfolder: 'text_encoder', trainable: false, ...variantOf('text_encoder') }));
    const textEncoder2 = track(await CLIPTextModelWithProjection.fromPretrained(folder, { subfolder: 'text_encoder_2', trainable: false, ...variantOf('text_encoder_2') }));
    const unet = track(await UNet2DConditionModel.fromPretrained(folder, { subfolder: 'unet', trainable: false, ...variantOf('unet') }));
    const vae = track(await AutoencoderKL.fromPretrained(folder, { subfolder: 'vae', trainable: false, ...variantOf('vae') }));
    if (options.attentionChunkSize !== undefined) {
      textEncoder.attentionChunkSize = options.attentionChunkSize;
      textEncoder2.attentionChunkSize = options.attentionChunkSize;
      unet.setAttentionChunkSize(options.attentionChunkSize);
      vae.setAttentionChunkSize(options.attentionChunkSize);
    }
    return {
      components: { vae, textEncoder, textEncoder2, tokenizer, tokenizer2, unet, scheduler, forceZerosForEmptyPrompt: modelIndex.forceZerosForEmptyPrompt },
      modelIndex,
      variantFallbacks: variants.fallbacks,
    };
  } catch (error) {
    for (const model of loaded) model.dispose();
    throw error;
  }
}

/** Which model folders have the variant; none having it is an error, as in diffusers. */
async function resolveVariants(folder: string, variant: string | undefined): Promise<{ used: Set<string>; fallbacks: string[] }> {
  if (variant === undefined || variant === '') return { used: new Set(), fallbacks: [] };
  const used = new Set<string>();
  const fallbacks: string[] = [];
  for (const [subfolder, format] of Object.entries(MODEL_FORMATS)) {
    if (await hasVariantWeights(folder, subfolder, variant, format)) used.add(subfolder);
    else fallbacks.push(subfolder);
  }
  if (used.size === 0) {
    throw new SdxlError(
      ErrorCode.PIPELINE_VARIANT_NOT_FOUND,
      `${folder}: no component has weights of variant "${variant}" (looked for *.${variant}.safetensors in ${Object.keys(MODEL_FORMATS).join(', ')}); leave the variant out to load the plain weights`,
      { details: { folder, variant } },
    );
  }
  return { used, fallbacks };
}
