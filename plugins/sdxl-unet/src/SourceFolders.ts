import { join } from 'node:path';
import type { ModelSource } from '@sdxl-trainer/core';
import { resolveRepo, type ResolvedRepo } from '@sdxl-trainer/hub';

/** A model source on disk. */
export interface LocalSource {
  /** The folder holding the component's files (`root` joined with the source's subfolder). */
  readonly folder: string;
  /** The repository on disk: a local path as given, or the Hub snapshot folder `…/snapshots/<commit>`. */
  readonly root: string;
  /** The commit a Hub id resolved to; undefined for a local folder. */
  readonly commit: string | undefined;
  readonly source: ModelSource;
}

/** How {@link SourceFolders} reaches the Hub. */
export interface SourceFoldersOptions {
  /** --cache_dir; default HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub. */
  readonly cacheDir?: string | undefined;
  /** Called once per repository resolved (for a log line). */
  readonly onResolved?: ((repo: ResolvedRepo, source: ModelSource) => void) | undefined;
}

/**
 * Turns model sources into local folders, once per repository, revision and variant: a local path is used as it
 * is; a Hub id is fetched into the Hugging Face cache with `resolveRepo` (the files a diffusers pipeline loads,
 * the requested variant, falling back per component to plain weights), so every component of one pipeline shares
 * one snapshot.
 */
export class SourceFolders {
  readonly #repos = new Map<string, Promise<ResolvedRepo>>();

  constructor(private readonly options: SourceFoldersOptions = {}) {}

  /** The local folder of a source (downloads what is missing from the cache). */
  async resolve(source: ModelSource): Promise<LocalSource> {
    const key = JSON.stringify([source.path, source.revision ?? null, source.variant ?? null]);
    let pending = this.#repos.get(key);
    if (pending === undefined) {
      pending = resolveRepo(source.path, { revision: source.revision, variant: source.variant, cacheDir: this.options.cacheDir }).then((repo) => {
        this.options.onResolved?.(repo, source);
        return repo;
      });
      // why: a failed resolve must not stay memoised, so the next call tries again.
      pending.catch(() => this.#repos.delete(key));
      this.#repos.set(key, pending);
    }
    const repo = await pending;
    return { folder: join(repo.path, source.subfolder ?? ''), root: repo.path, commit: repo.commit, source };
  }
}
