import { resolve } from 'node:path';
import type { ModelSource } from '@sdxl-trainer/core';

/** What identifies the latents a VAE source produces. */
export interface LatentEncoderIdParts {
  readonly source: ModelSource;
  /** The commit a Hub id resolved to; undefined for a local folder. */
  readonly commit: string | undefined;
  readonly sampleSeed: number;
}

/**
 * The LatentEncoder id (the data caches key latents by it): the VAE's path (absolute for a local folder), subfolder,
 * revision, variant, the resolved Hub commit and the sampling seed — everything that changes a latent. A swapped
 * VAE (vae-swap) has another path and no subfolder, so its latents never mix with the pipeline VAE's.
 */
export function latentEncoderId({ source, commit, sampleSeed }: LatentEncoderIdParts): string {
  const path = commit === undefined ? resolve(source.path) : source.path;
  return `sdxl-vae:${JSON.stringify({ path, subfolder: source.subfolder ?? null, revision: source.revision ?? null, variant: source.variant ?? null, commit: commit ?? null, sampleSeed })}`;
}
