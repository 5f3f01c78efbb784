import { DIFFUSERS_VERSION } from '@sdxl-trainer/models';

/** `[library, class]` of one pipeline component, as model_index.json lists it. */
export type ComponentClass = readonly [library: string, className: string];

/**
 * The saved pipeline's model_index.json: the source's (so `force_zeros_for_empty_prompt`, `_diffusers_version` and
 * the unused IP-Adapter entries carry over) with every component's class set to what was saved; without a source
 * index, what diffusers' `StableDiffusionXLPipeline.save_pretrained` writes (force_zeros_for_empty_prompt true,
 * feature_extractor / image_encoder `[null, null]`).
 */
export function buildModelIndex(source: Readonly<Record<string, unknown>> | undefined, classes: Readonly<Record<string, ComponentClass>>): Record<string, unknown> {
  const base: Record<string, unknown> = source ?? {
    _class_name: 'StableDiffusionXLPipeline',
    force_zeros_for_empty_prompt: true,
    feature_extractor: [null, null],
    image_encoder: [null, null],
  };
  const index: Record<string, unknown> = { ...base, _diffusers_version: base._diffusers_version ?? DIFFUSERS_VERSION };
  for (const [component, pair] of Object.entries(classes)) index[component] = [...pair];
  return index;
}
