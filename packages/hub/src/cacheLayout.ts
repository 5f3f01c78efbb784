import { join } from 'node:path';
import type { RepoType } from './RepoType.js';

/** A commit id: 40 lowercase hex characters (huggingface_hub's `REGEX_COMMIT_HASH`). */
export const COMMIT_HASH = /^[0-9a-f]{40}$/;

/** `models--org--name` / `datasets--org--name`, huggingface_hub's `repo_folder_name`. */
export function repoFolderName(type: RepoType, repoId: string): string {
  return [`${type}s`, ...repoId.split('/')].join('--');
}

/**
 * Paths of one repository in the Hugging Face cache, the layout huggingface_hub writes (file_download.py):
 * `blobs/<etag>` (sha256 for LFS files, git blob id otherwise), `snapshots/<commit>/<path>` as relative symlinks to
 * `../../blobs/<etag>`, `refs/<revision>` holding a commit id, and `trees/<commit>.json` listing a commit's files.
 */
export interface RepoCache {
  /** `<cacheDir>/models--org--name`. */
  readonly storage: string;
  blob(etag: string): string;
  snapshot(commit: string): string;
  pointer(commit: string, path: string): string;
  ref(revision: string): string;
  tree(commit: string): string;
}

/** The cache paths of `repoId` under the hub cache folder `cacheDir`. */
export function repoCache(cacheDir: string, type: RepoType, repoId: string): RepoCache {
  const storage = join(cacheDir, repoFolderName(type, repoId));
  return {
    storage,
    blob: (etag) => join(storage, 'blobs', etag),
    snapshot: (commit) => join(storage, 'snapshots', commit),
    pointer: (commit, path) => join(storage, 'snapshots', commit, ...path.split('/')),
    ref: (revision) => join(storage, 'refs', ...revision.split('/')),
    tree: (commit) => join(storage, 'trees', `${commit}.json`),
  };
}
