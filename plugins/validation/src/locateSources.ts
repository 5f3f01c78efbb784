import { join } from 'node:path';
import type { ModelSource, ModelSources } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { resolveRepo, type ResolvedRepo } from '@sdxl-trainer/hub';

/** One model component on disk: `fromPretrained(root, { subfolder })` reads `folder`. */
export interface LocatedSource {
  readonly source: ModelSource;
  /** The repository on disk: a local path as given, or the Hub snapshot folder. */
  readonly root: string;
  /** `root` joined with the source's subfolder. */
  readonly folder: string;
  readonly repo: ResolvedRepo;
}

/** Throws MODEL_SOURCE_MISSING naming every component of `names` the resolveModelFiles waterfall left out (and `plugin`, the one asking). */
export function requireSources(sources: ModelSources, names: readonly string[], plugin: string): void {
  const missing = names.filter((name) => sources[name] === undefined);
  if (missing.length === 0) return;
  throw new SdxlError(
    ErrorCode.MODEL_SOURCE_MISSING,
    `${plugin}: no source for ${missing.map((m) => `"${m}"`).join(', ')} in the resolveModelFiles waterfall (it left ${Object.keys(sources).join(', ') || 'nothing'}); ` +
      "add the model plugin that provides --pretrained_model_name_or_path's components (@sdxl-trainer/plugin-sdxl-unet)",
    { details: { missing, known: Object.keys(sources) } },
  );
}

/** How {@link locateSources} reaches the Hub. */
export interface LocateOptions {
  /** --cache_dir; default HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub. */
  readonly cacheDir?: string | undefined;
  /** The plugin asking, for the error message. */
  readonly plugin: string;
}

/**
 * The local folders of the named components, as the resolveModelFiles waterfall left them: a local path is read where
 * it is; a Hub id is resolved into the Hugging Face cache once per (path, revision, variant), fetching only the
 * subfolders asked for (the whole repo when a component is the repo itself, e.g. a swapped VAE).
 */
export async function locateSources<N extends string>(sources: ModelSources, names: readonly N[], options: LocateOptions): Promise<Record<N, LocatedSource>> {
  requireSources(sources, names, options.plugin);
  const groups = new Map<string, N[]>();
  for (const name of names) {
    const { path, revision, variant } = sources[name]!;
    const key = JSON.stringify([path, revision ?? null, variant ?? null]);
    groups.set(key, [...(groups.get(key) ?? []), name]);
  }
  const located = {} as Record<N, LocatedSource>;
  for (const group of groups.values()) {
    const first = sources[group[0]!]!;
    const subfolders = group.map((name) => sources[name]!.subfolder);
    // why: a component without a subfolder is the repository itself, so the whole repository is needed.
    const wanted = subfolders.every((s) => s !== undefined && s !== '') ? (subfolders as string[]) : undefined;
    const repo = await resolveRepo(first.path, { revision: first.revision, variant: first.variant, cacheDir: options.cacheDir, subfolders: wanted });
    for (const name of group) {
      const source = sources[name]!;
      located[name] = { source, root: repo.path, folder: join(repo.path, source.subfolder ?? ''), repo };
    }
  }
  return located;
}
