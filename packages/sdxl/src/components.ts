import type { ModelSources } from '@sdxl-trainer/core';

/** The components of an SDXL pipeline folder (diffusers' StableDiffusionXLPipeline), by folder name. */
export const SDXL_COMPONENTS = ['unet', 'vae', 'text_encoder', 'text_encoder_2', 'tokenizer', 'tokenizer_2', 'scheduler'] as const;

/** One SDXL component name. */
export type SdxlComponent = (typeof SDXL_COMPONENTS)[number];

/** Where an SDXL pipeline's components are: every component in its own subfolder of `path` (--pretrained_model_name_or_path). */
export function sdxlModelSources(path: string, options: { revision?: string | undefined; variant?: string | undefined } = {}): ModelSources {
  return Object.fromEntries(SDXL_COMPONENTS.map((component) => [component, { path, subfolder: component, revision: options.revision, variant: options.variant }]));
}
