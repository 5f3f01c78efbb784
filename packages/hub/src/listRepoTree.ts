import { listFiles } from '@huggingface/hub';
import { checkedFetch } from './hubFetch.js';
import type { HubSettings } from './hubSettings.js';
import type { RepoFileInfo } from './RepoFileInfo.js';
import type { RepoType } from './RepoType.js';

/** Every file of a commit with size, git id and LFS sha256 (`GET /api/{type}s/{id}/tree/{commit}?recursive=true`, paged). */
export async function listRepoTree(
  settings: HubSettings,
  type: RepoType,
  repoId: string,
  commit: string,
  baseFetch?: typeof fetch,
): Promise<RepoFileInfo[]> {
  const request = checkedFetch(settings, { endpoint: settings.endpoint, repoId, type, revision: commit }, baseFetch);
  const files: RepoFileInfo[] = [];
  for await (const entry of listFiles({ repo: { type, name: repoId }, revision: commit, recursive: true, hubUrl: settings.endpoint, fetch: request })) {
    if (entry.type !== 'file' || entry.oid === undefined) continue;
    files.push({
      path: entry.path,
      size: entry.size,
      blobId: entry.oid,
      lfsSha256: entry.lfs?.oid,
      lfsSize: entry.lfs?.size,
      xetHash: entry.xetHash,
    });
  }
  return files;
}
