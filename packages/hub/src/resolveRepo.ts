import { ErrorCode, SdxlError, isSdxlError } from '@sdxl-trainer/errors';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { COMMIT_HASH, repoCache, type RepoCache } from './cacheLayout.js';
import { readRef, readTreeCache, writeRef, writeTreeCache } from './cacheRecords.js';
import { downloadBlob } from './downloadBlob.js';
import type { DownloadProgress } from './DownloadProgress.js';
import { fetchCommit } from './fetchCommit.js';
import { filterPaths } from './fnmatch.js';
import { authorizedFetch } from './hubFetch.js';
import { describeTarget, type HubRequestContext } from './HubRequestContext.js';
import { hubSettings, type HubSettings, type HubSettingsOptions } from './hubSettings.js';
import { linkSnapshotFile } from './linkSnapshotFile.js';
import { listRepoTree } from './listRepoTree.js';
import { listSnapshotFolder } from './listSnapshotFolder.js';
import { mapWithConcurrency } from './mapWithConcurrency.js';
import { parseRepoId } from './parseRepoId.js';
import { readModelIndexComponents } from './readModelIndex.js';
import { blobEtag, type RepoFileInfo } from './RepoFileInfo.js';
import type { RepoType } from './RepoType.js';
import { selectRepoFiles, type SelectionMode, type SkippedFolder } from './selectRepoFiles.js';

/** How {@link resolveRepo} finds and fetches a repo. Settings left out come from the environment (see `hubSettings`). */
export interface ResolveRepoOptions extends HubSettingsOptions {
  readonly type?: RepoType | undefined;
  /** Branch, tag or commit id (`--revision`). Default `main`. */
  readonly revision?: string | undefined;
  /** Weight variant (`--variant`, e.g. `fp16`). */
  readonly variant?: string | undefined;
  /** `diffusers` (default for models) fetches only what a run loads; `all` (default for datasets) every file. */
  readonly select?: SelectionMode | undefined;
  readonly subfolders?: readonly string[] | undefined;
  readonly allowPatterns?: readonly string[] | undefined;
  readonly ignorePatterns?: readonly string[] | undefined;
  /** Files downloaded at once (default 4). */
  readonly concurrency?: number | undefined;
  /** Resumes of a broken transfer per file before failing (default 3). */
  readonly retries?: number | undefined;
  readonly onProgress?: ((progress: DownloadProgress) => void) | undefined;
  /** Fetch to use (default the global one), e.g. to go through a proxy. */
  readonly fetch?: typeof fetch | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Where a repo ended up on disk, and what was done to get it there. */
export interface ResolvedRepo {
  /** The snapshot folder `<cache>/models--org--name/snapshots/<commit>`, or the local path as given. */
  readonly path: string;
  readonly local: boolean;
  readonly repoId: string | undefined;
  readonly type: RepoType;
  readonly commit: string | undefined;
  /** Repo paths of the selected files. */
  readonly files: string[];
  readonly downloaded: string[];
  /** Files found in the cache (no download). */
  readonly cached: string[];
  readonly skipped: SkippedFolder[];
  /** True when the Hub was not asked (offline mode, or it could not be reached and the cache had the files). */
  readonly fromCacheOnly: boolean;
}

// why: two files of one repo (or two resolves) may share a blob (sdxl-base ships the same VAE twice); one download
// per blob path keeps them from writing the same `.incomplete` at once.
const downloadsInFlight = new Map<string, Promise<void>>();

/**
 * Resolves `--pretrained_model_name_or_path` / `--dataset_name`: an existing local path is returned as is; an
 * `org/name` id is resolved to a commit, its needed files (see `selectRepoFiles`) fetched into the Hugging Face cache
 * (shared with Python's huggingface_hub) unless already there, and the snapshot folder returned. Offline (or when the
 * Hub cannot be reached) only the cache is used.
 */
export async function resolveRepo(idOrPath: string, options: ResolveRepoOptions = {}): Promise<ResolvedRepo> {
  const type = options.type ?? 'model';
  if (existsSync(idOrPath)) {
    return { path: idOrPath, local: true, repoId: undefined, type, commit: undefined, files: [], downloaded: [], cached: [], skipped: [], fromCacheOnly: true };
  }
  const repoId = parseRepoId(idOrPath);
  const settings = hubSettings(options);
  const revision = options.revision ?? 'main';
  const cache = repoCache(settings.cacheDir, type, repoId);
  const context: HubRequestContext = { endpoint: settings.endpoint, repoId, type, revision };

  let cacheOnly = settings.offline;
  let hubError: unknown;
  let commit = COMMIT_HASH.test(revision) ? revision : undefined;
  if (commit === undefined && !cacheOnly) {
    try {
      commit = await fetchCommit(settings, type, repoId, revision, options.fetch);
    } catch (error) {
      if (!fallsBackToCache(error)) throw error;
      hubError = error;
      cacheOnly = true;
    }
  }
  commit ??= await readRef(cache, revision);
  if (commit === undefined) throw hubError ?? notCached(settings, context, cache, []);

  let tree = await readTreeCache(cache, commit);
  if (tree === undefined && cacheOnly) tree = await listSnapshotFolder(cache.snapshot(commit));
  if (tree === undefined && cacheOnly) throw hubError ?? notCached(settings, context, cache, []);
  if (tree === undefined) {
    tree = await listRepoTree(settings, type, repoId, commit, options.fetch);
    await writeTreeCache(cache, commit, tree);
  }
  if (!cacheOnly && revision !== commit) await writeRef(cache, revision, commit);

  const resolvedCommit = commit;
  const byPath = new Map(tree.map((file) => [file.path, file]));
  const downloaded: string[] = [];
  const cached: string[] = [];
  const missing: string[] = [];
  const fetchWithToken = authorizedFetch(settings, options.fetch);
  const ensure = async (file: RepoFileInfo): Promise<void> => {
    const outcome = await ensureFile(file, resolvedCommit, cache, cacheOnly, settings, { ...context, revision: resolvedCommit }, fetchWithToken, options);
    (outcome === 'downloaded' ? downloaded : outcome === 'cached' ? cached : missing).push(file.path);
  };

  const mode = options.select ?? (type === 'model' ? 'diffusers' : 'all');
  let components: string[] | undefined;
  const index = byPath.get('model_index.json');
  const indexWanted = index !== undefined && filterPaths([index.path], options.allowPatterns, options.ignorePatterns).length === 1;
  if (mode === 'diffusers' && options.subfolders === undefined && index !== undefined && indexWanted) {
    await ensure(index);
    if (missing.length > 0) throw hubError ?? notCached(settings, context, cache, missing);
    components = await readModelIndexComponents(cache.pointer(resolvedCommit, index.path));
  }
  const selection = selectRepoFiles([...byPath.keys()], { ...options, mode, components, repoId });
  const pending = selection.files.filter((path) => path !== 'model_index.json' || components === undefined);
  await mapWithConcurrency(pending, options.concurrency ?? 4, (path) => ensure(byPath.get(path) as RepoFileInfo));
  if (missing.length > 0) throw notCached(settings, context, cache, missing.sort(), hubError);

  return {
    path: cache.snapshot(resolvedCommit),
    local: false,
    repoId,
    type,
    commit: resolvedCommit,
    files: selection.files,
    downloaded: downloaded.sort(),
    cached: cached.sort(),
    skipped: selection.skipped,
    fromCacheOnly: cacheOnly,
  };
}

async function ensureFile(
  file: RepoFileInfo,
  commit: string,
  cache: RepoCache,
  cacheOnly: boolean,
  settings: HubSettings,
  context: HubRequestContext,
  fetchWithToken: typeof fetch,
  options: ResolveRepoOptions,
): Promise<'cached' | 'downloaded' | 'missing'> {
  const pointer = cache.pointer(commit, file.path);
  if (await exists(pointer)) return 'cached';
  const blob = cache.blob(blobEtag(file));
  if (await exists(blob)) {
    await linkSnapshotFile(blob, pointer);
    return 'cached';
  }
  if (cacheOnly) return 'missing';
  let download = downloadsInFlight.get(blob);
  if (download === undefined) {
    const prefix = context.type === 'dataset' ? 'datasets/' : '';
    const url = `${settings.endpoint}/${prefix}${context.repoId}/resolve/${commit}/${file.path.split('/').map(encodeURIComponent).join('/')}`;
    download = downloadBlob({
      url,
      blobPath: blob,
      file,
      fetch: fetchWithToken,
      context: { ...context, path: file.path, tokenSent: settings.token !== undefined },
      retries: options.retries ?? 3,
      onProgress: options.onProgress,
      signal: options.signal,
    }).finally(() => downloadsInFlight.delete(blob));
    downloadsInFlight.set(blob, download);
  }
  await download;
  await linkSnapshotFile(blob, pointer);
  return 'downloaded';
}

/** huggingface_hub falls back to the cache on any HTTP or connection error except an unknown revision. */
function fallsBackToCache(error: unknown): boolean {
  if (!isSdxlError(error)) return false;
  return error.code !== ErrorCode.HUB_REVISION_NOT_FOUND && error.code !== ErrorCode.HUB_INVALID_REPO_ID;
}

function notCached(settings: HubSettings, context: HubRequestContext, cache: RepoCache, missing: readonly string[], cause?: unknown): SdxlError {
  const why = settings.offline
    ? 'offline mode is on (HF_HUB_OFFLINE or offline: true)'
    : `the Hub could not be used${isSdxlError(cause) ? ` (${cause.message})` : ''}`;
  const what =
    missing.length === 0
      ? `no cached snapshot of ${describeTarget(context)} exists in ${cache.storage}`
      : `these files of ${describeTarget(context)} are not in ${cache.storage}: ${missing.join(', ')}`;
  return new SdxlError(
    ErrorCode.HUB_NOT_CACHED,
    `${what}, and ${why}. Run once with network access (unset HF_HUB_OFFLINE) to fill the cache, point --cache_dir / ` +
      `HF_HUB_CACHE at a cache that has them, or pass a local folder.`,
    { details: { repo: context.repoId, revision: context.revision, missing, cacheDir: settings.cacheDir }, cause },
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
