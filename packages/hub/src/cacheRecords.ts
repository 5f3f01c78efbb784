import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RepoCache } from './cacheLayout.js';
import type { RepoFileInfo } from './RepoFileInfo.js';

/** The commit a cached revision points to (`refs/<revision>`), or undefined when the ref is not cached. */
export async function readRef(cache: RepoCache, revision: string): Promise<string | undefined> {
  try {
    const commit = (await readFile(cache.ref(revision), 'utf8')).trim();
    return commit === '' ? undefined : commit;
  } catch {
    return undefined;
  }
}

/** Records `refs/<revision>` → commit, atomically and without a trailing newline, as huggingface_hub writes it. */
export async function writeRef(cache: RepoCache, revision: string, commit: string): Promise<void> {
  if ((await readRef(cache, revision)) === commit) return;
  await writeAtomically(cache.ref(revision), commit);
}

// why: huggingface_hub `_tree_cache.py`: `trees/<commit>.json`, `{"format_version": 1, "files": {path: {size,
// blob_id, lfs_sha256?, lfs_size?, xet_hash?}}}`, written with indent=1 and sorted paths. Sharing it lets either
// tool list a cached commit without asking the Hub.
const TREE_FORMAT_VERSION = 1;

interface TreeJsonEntry {
  size: number;
  blob_id: string;
  lfs_sha256?: string;
  lfs_size?: number;
  xet_hash?: string;
}

/** The cached file list of a commit, or undefined when absent, of another format version, or unreadable. */
export async function readTreeCache(cache: RepoCache, commit: string): Promise<RepoFileInfo[] | undefined> {
  try {
    const data = JSON.parse(await readFile(cache.tree(commit), 'utf8')) as { format_version?: unknown; files?: Record<string, TreeJsonEntry> };
    if (data.format_version !== TREE_FORMAT_VERSION || typeof data.files !== 'object' || data.files === null) return undefined;
    return Object.entries(data.files).map(([path, entry]) => {
      if (typeof entry.size !== 'number' || typeof entry.blob_id !== 'string') throw new TypeError(`bad entry ${path}`);
      return { path, size: entry.size, blobId: entry.blob_id, lfsSha256: entry.lfs_sha256, lfsSize: entry.lfs_size, xetHash: entry.xet_hash };
    });
  } catch {
    return undefined; // why: a missing or damaged tree cache only costs one listing request, as in huggingface_hub.
  }
}

/** Writes `trees/<commit>.json` in huggingface_hub's format (best effort: a failure is ignored, as there). */
export async function writeTreeCache(cache: RepoCache, commit: string, files: readonly RepoFileInfo[]): Promise<void> {
  const entries: Record<string, TreeJsonEntry> = {};
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    entries[file.path] = {
      size: file.size,
      blob_id: file.blobId,
      ...(file.lfsSha256 === undefined ? {} : { lfs_sha256: file.lfsSha256, lfs_size: file.lfsSize ?? file.size }),
      ...(file.xetHash === undefined ? {} : { xet_hash: file.xetHash }),
    };
  }
  await writeAtomically(cache.tree(commit), JSON.stringify({ format_version: TREE_FORMAT_VERSION, files: entries }, null, 1)).catch(
    () => undefined,
  );
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
}
