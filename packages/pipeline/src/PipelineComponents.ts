import type { AutoencoderKL, CLIPTextModel, CLIPTextModelWithProjection, UNet2DConditionModel } from '@sdxl-trainer/models';
import type { EulerDiscreteScheduler } from '@sdxl-trainer/schedulers';
import type { CLIPTokenizer } from '@sdxl-trainer/tokenizers';

/**
 * The models and settings a {@link StableDiffusionXLPipeline} runs (diffusers' `register_modules`). The text encoders
 * and tokenizers may be null when every call passes precomputed prompt embeddings (training validation after the
 * text encoders were freed).
 */
export interface PipelineComponents {
  readonly vae: AutoencoderKL;
  readonly textEncoder: CLIPTextModel | null;
  readonly textEncoder2: CLIPTextModelWithProjection | null;
  readonly tokenizer: CLIPTokenizer | null;
  readonly tokenizer2: CLIPTokenizer | null;
  readonly unet: UNet2DConditionModel;
  /** Its config is what each call builds a fresh scheduler from (a scheduler keeps a step index). */
  readonly scheduler: EulerDiscreteScheduler;
  /** model_index.json `force_zeros_for_empty_prompt` (default true): zeros, not the encoding of "", as the negative prompt. */
  readonly forceZerosForEmptyPrompt?: boolean;
}
