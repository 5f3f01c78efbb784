import { resolve } from 'node:path';
import type { ModelSource } from '@sdxl-trainer/core';

/** What identifies the latents a VAE source produces. */
export interface LatentEncoderIdParts {
  readonly source: ModelSource;
  /** The commit a Hub id resolved to; undefined for a local folder. */
  readonly commit: string | undefined;
  readonly sampleSeed: number;
  /** For a local folder: the contents of the VAE folder (`folderFingerprint`), so a VAE rebuilt in place is a new id. */
  readonly files?: Readonly<Record<string, string>> | undefined;
}

/**
 * The LatentEncoder id (the data caches key latents by it): the VAE's path (absolute for a local folder), subfolder,
 * revision, variant, the resolved Hub commit (or, for a local folder, its files' fingerprint) and the sampling seed —
 * everything that changes a latent. A swapped
 * VAE (vae-swap) has another path and no subfolder, so its latents never mix with the pipeline VAE's.
 */
export function latentEncoderId({ source, commit, sampleSeed, files }: LatentEncoderIdParts): string {
  const path = commit === undefined ? resolve(source.path) : source.path;
  const parts = { path, subfolder: source.subfolder ?? null, revision: source.revision ?? null, variant: source.variant ?? null, commit: commit ?? null, sampleSeed };
  return `sdxl-vae:${JSON.stringify(files === undefined ? parts : { ...parts, files })}`;
}
