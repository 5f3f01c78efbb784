import { parseOptions, type OptionDescription } from '@sdxl-trainer/core';
import { z } from 'zod';

/** The options of the SDXL UNet plugin (strict: unknown keys are errors). */
export const sdxlUnetOptionsSchema = z.strictObject({
  /** --pretrained_model_name_or_path: a local diffusers SDXL folder or a Hub id. */
  pretrainedModel: z.string().min(1),
  /** --revision: Hub branch, tag or commit of the model files. */
  revision: z.string().min(1).optional(),
  /** --variant: weights variant, e.g. `fp16` (`diffusion_pytorch_model.fp16.safetensors`). */
  variant: z.string().min(1).optional(),
  /** --cache_dir: the Hugging Face cache for Hub ids (default: HF_HUB_CACHE / HF_HOME / ~/.cache/huggingface/hub). */
  cacheDir: z.string().min(1).optional(),
  /** --prediction_type: overrides the scheduler config's `prediction_type` for training and in the saved pipeline. */
  predictionType: z.enum(['epsilon', 'v_prediction', 'sample']).optional(),
  /** --gradient_checkpointing: recompute every ResNet and transformer block in the backward pass. */
  gradientCheckpointing: z.boolean().default(false),
  /** --enable_xformers_memory_efficient_attention: attention this many queries at a time (same numbers, less memory). */
  attentionChunkSize: z.number().int().positive().optional(),
});

/** SDXL UNet options as a user writes them. */
export type SdxlUnetOptions = z.input<typeof sdxlUnetOptionsSchema>;

/** SDXL UNet options with defaults filled in. */
export type ResolvedSdxlUnetOptions = z.output<typeof sdxlUnetOptionsSchema>;

const DESCRIBED: Readonly<Record<keyof SdxlUnetOptions, OptionDescription>> = {
  pretrainedModel: { flag: '--pretrained_model_name_or_path', expected: 'a local SDXL diffusers folder or a Hub id such as "stabilityai/stable-diffusion-xl-base-1.0"' },
  revision: { flag: '--revision', expected: 'a non-empty branch, tag or commit id' },
  variant: { flag: '--variant', expected: 'a non-empty weights variant such as "fp16"' },
  cacheDir: { flag: '--cache_dir', expected: 'a folder path' },
  predictionType: { flag: '--prediction_type', expected: '"epsilon", "v_prediction" or "sample"' },
  gradientCheckpointing: { flag: '--gradient_checkpointing', expected: 'true or false' },
  attentionChunkSize: { flag: '--enable_xformers_memory_efficient_attention', expected: 'a positive integer (queries per attention chunk, e.g. 1024)' },
};

/** Validate SDXL UNet options (SdxlError CONFIG_INVALID naming the option, its flag, the value and what was expected). */
export function parseSdxlUnetOptions(plugin: string, options: unknown): ResolvedSdxlUnetOptions {
  return parseOptions(plugin, sdxlUnetOptionsSchema, options, DESCRIBED);
}
