import type { InjectionToken } from '@sdxl-trainer/core';
import type { LatentEncoder as LatentEncoderType, TextEmbedder as TextEmbedderType } from '@sdxl-trainer/data';

/** DI token of the run's text embedder (both CLIP encoders; provided by the SDXL text-encoding plugin). */
export const TextEmbedder: InjectionToken<TextEmbedderType> = Symbol.for('@sdxl-trainer/sdxl:TextEmbedder');

/** DI token of the run's latent encoder (the VAE; provided by the SDXL VAE plugin, redirected by VAE swap). */
export const LatentEncoder: InjectionToken<LatentEncoderType> = Symbol.for('@sdxl-trainer/sdxl:LatentEncoder');
