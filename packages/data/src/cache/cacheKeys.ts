import type { InterpolationMode, Resampler } from '../image/InterpolationMode.js';
import { canonicalJson, sha256Hex } from './hashing.js';

/** Bump when the entry layout or the image pipeline changes the cached values, so old entries are not reused. */
export const CACHE_FORMAT_VERSION = 1;

/**
 * Key of a text-embedding entry: the embedder identity and the exact caption string — nothing else changes the
 * output of `encode_prompt` (the caption choice and empty prompts are decided before, per string).
 */
export function textCacheKey(embedderId: string, caption: string): string {
  return sha256Hex(canonicalJson({ v: CACHE_FORMAT_VERSION, kind: 'text', embedder: embedderId, caption }));
}

/** Everything that decides the pixels a latent is encoded from, besides the image bytes. */
export interface LatentKeySettings {
  readonly encoderId: string;
  /** SHA-256 of the encoded image bytes. */
  readonly imageSha256: string;
  readonly resolution: number;
  readonly interpolation: InterpolationMode;
  readonly resampler: Resampler;
  readonly cropTopLeft: readonly [number, number];
  readonly flip: boolean;
}

/**
 * Key of a latent entry: the VAE identity, the image content and the settings that change the pixels — resolution,
 * interpolation and resampler, the crop's position and the flip. The crop *mode* is not part of it: centre and
 * random crops that land on the same coordinates produce the same pixels. Run settings (learning rate, output
 * folder, …) are not part of any key, so changing them reuses the cache.
 */
export function latentCacheKey(settings: LatentKeySettings): string {
  return sha256Hex(canonicalJson({ v: CACHE_FORMAT_VERSION, kind: 'latent', ...settings, cropTopLeft: [...settings.cropTopLeft] }));
}
