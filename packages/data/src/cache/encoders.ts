import type { HostTensor } from '@sdxl-trainer/core';

/**
 * The text side of SDXL's conditioning, as the script's `encode_prompt` computes it, behind an interface so this
 * package does not depend on the models: one `[77, 2048]` prompt embedding (penultimate hidden states of both CLIP
 * encoders, concatenated) and one `[1280]` pooled embedding (text_encoder_2's projection) per prompt.
 */
export interface TextEmbedder {
  /** Model identity for cache keys: repo or path, revision, and anything else that changes the output. */
  readonly id: string;
  encode(prompts: readonly string[]): Promise<{ promptEmbeds: HostTensor[]; pooled: HostTensor[] }>;
}

/**
 * The VAE side (`compute_vae_encodings`): NHWC pixel tensors in [-1, 1] in, latents `[h/f, w/f, 4]` out (f = `downsampleFactor`, 8 for SDXL), already
 * multiplied by the VAE's `scaling_factor` (0.13025 for SDXL).
 */
export interface LatentEncoder {
  /** Model identity for cache keys: the VAE repo/path and revision (and a swapped-in VAE's id). */
  readonly id: string;
  /** How much smaller the latents are than the images: 2^(VAE down blocks − 1), 8 for SDXL (the default). */
  readonly downsampleFactor?: number;
  encode(images: readonly HostTensor[]): Promise<HostTensor[]>;
}
