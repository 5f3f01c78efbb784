import { datasetInfo, modelInfo } from '@huggingface/hub';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { COMMIT_HASH } from './cacheLayout.js';
import { checkedFetch } from './hubFetch.js';
import type { HubSettings } from './hubSettings.js';
import type { RepoType } from './RepoType.js';

/** Asks the Hub which commit `revision` (branch, tag or commit) of a repo is (`GET /api/{type}s/{id}/revision/{rev}`). */
export async function fetchCommit(
  settings: HubSettings,
  type: RepoType,
  repoId: string,
  revision: string,
  baseFetch?: typeof fetch,
): Promise<string> {
  const request = checkedFetch(settings, { endpoint: settings.endpoint, repoId, type, revision }, baseFetch);
  const params = { name: repoId, revision, hubUrl: settings.endpoint, fetch: request, additionalFields: ['sha' as const] };
  const info = type === 'model' ? await modelInfo(params) : await datasetInfo(params);
  const sha: unknown = info.sha;
  if (typeof sha !== 'string' || !COMMIT_HASH.test(sha)) {
    throw new SdxlError(
      ErrorCode.HUB_REQUEST_FAILED,
      `${settings.endpoint} did not return a commit id for ${type} "${repoId}" revision ${revision} (got ${JSON.stringify(sha)}).`,
      { details: { repo: repoId, revision } },
    );
  }
  return sha;
}
