import { MODEL_INPUT_KEY } from '@sdxl-trainer/core';

/**
 * The keys of a precomputed SDXL training sample (what @sdxl-trainer/data's precompute produces and the UNet
 * adapter reads): the scaled latents, both prompt embeddings, and the micro-conditioning sizes.
 */
export const SdxlSampleKey = {
  /** Latents × the VAE's scaling factor, `[h/8, w/8, 4]` (diffusers' `model_input`). */
  modelInput: MODEL_INPUT_KEY,
  /** Penultimate hidden states of both text encoders, concatenated: `[77, 2048]` for SDXL. */
  promptEmbeds: 'promptEmbeds',
  /** text_encoder_2's projected pooled output: `[1280]` for SDXL. */
  pooledPromptEmbeds: 'pooledPromptEmbeds',
  /** `[h, w]` of the source image before resizing. */
  originalSize: 'originalSize',
  /** `[y, x]` of the crop in the resized image. */
  cropTopLeft: 'cropTopLeft',
  /** `[h, w]` of the training crop (resolution × resolution). */
  targetSize: 'targetSize',
  /** The caption the embeddings were computed from. */
  caption: 'caption',
} as const;
