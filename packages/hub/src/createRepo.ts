import { createRepo as hubCreateRepo, repoExists } from '@huggingface/hub';
import { ErrorCode, SdxlError, isSdxlError } from '@sdxl-trainer/errors';
import { authorizedFetch, checkedFetch } from './hubFetch.js';
import { hubSettings, type HubSettings, type HubSettingsOptions } from './hubSettings.js';
import { parseRepoId } from './parseRepoId.js';
import type { RepoType } from './RepoType.js';

/** How {@link createRepo} creates a repo. */
export interface CreateRepoOptions extends HubSettingsOptions {
  readonly type?: RepoType | undefined;
  /** Visibility of a new repo (an existing repo is left as it is). Default public. */
  readonly private?: boolean | undefined;
  /** Succeed when the repo already exists (huggingface_hub `exist_ok`). Default true. */
  readonly existOk?: boolean | undefined;
  readonly fetch?: typeof fetch | undefined;
}

/** The repo's web address and whether this call created it. */
export interface CreatedRepo {
  readonly repoId: string;
  readonly url: string;
  readonly created: boolean;
}

/**
 * Creates `org/name` on the Hub (diffusers' `create_repo(repo_id, exist_ok=True)` at the start of a
 * `--push_to_hub` run). Needs a token with write access (HF_TOKEN, `--hub_token` or `token`).
 */
export async function createRepo(repoId: string, options: CreateRepoOptions = {}): Promise<CreatedRepo> {
  parseRepoId(repoId);
  if (!repoId.includes('/')) {
    throw new SdxlError(ErrorCode.HUB_INVALID_REPO_ID, `createRepo needs a full id "namespace/name", got "${repoId}".`, { details: { repoId } });
  }
  const settings = hubSettings(options);
  const type = options.type ?? 'model';
  requireToken(settings, `create ${type} "${repoId}"`);
  const context = { endpoint: settings.endpoint, repoId, type };
  const url = `${settings.endpoint}/${type === 'dataset' ? 'datasets/' : ''}${repoId}`;
  try {
    const result = await hubCreateRepo({
      repo: { type, name: repoId },
      ...(options.private === undefined ? {} : { visibility: options.private ? 'private' : 'public' }),
      hubUrl: settings.endpoint,
      fetch: checkedFetch(settings, context, options.fetch),
      ...libraryCredentials(settings),
    });
    return { repoId, url: result.repoUrl || url, created: true };
  } catch (error) {
    const status = isSdxlError(error) ? error.details?.status : undefined;
    // why: huggingface_hub's create_repo(exist_ok=True) accepts 409 (exists) and, for tokens that may write but
    // not create, 403 when the repo turns out to exist.
    if ((options.existOk ?? true) && (status === 409 || status === 403)) {
      // why: repoExists reads 404/401 as "no"; it gets the plain authorized fetch, not the one that throws on them.
      const exists = await repoExists({ repo: { type, name: repoId }, hubUrl: settings.endpoint, fetch: authorizedFetch(settings, options.fetch) });
      if (exists) return { repoId, url, created: false };
    }
    throw error;
  }
}

/** Throws HUB_AUTH_REQUIRED when no token is configured for a write. */
export function requireToken(settings: HubSettings, action: string): void {
  if (settings.token !== undefined) return;
  throw new SdxlError(
    ErrorCode.HUB_AUTH_REQUIRED,
    `No Hub token to ${action} on ${settings.endpoint}: set HF_TOKEN (or pass --hub_token) to a token with write access.`,
    { details: { endpoint: settings.endpoint } },
  );
}

/**
 * Credentials for @huggingface/hub calls whose types require them. The real header is set by our fetch; passing
 * the token here only when it has the `hf_` prefix avoids the library's prefix check rejecting other valid tokens.
 */
export function libraryCredentials(settings: HubSettings): { accessToken: string } {
  return settings.token?.startsWith('hf_') === true ? { accessToken: settings.token } : ({} as { accessToken: string });
}
