import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { describeTarget, type HubRequestContext } from './HubRequestContext.js';

/**
 * Turns a failed Hub response into an SdxlError that names the repo, revision and file and says what to do. The
 * Hub's `X-Error-Code` header (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo) tells 404s apart, as
 * huggingface_hub's `hf_raise_for_status` does.
 */
export async function errorFromResponse(response: Response, context: HubRequestContext): Promise<SdxlError> {
  const status = response.status;
  const code = response.headers.get('x-error-code') ?? undefined;
  const serverMessage = response.headers.get('x-error-message') ?? (await bodyMessage(response));
  const said = serverMessage === undefined ? '' : `: ${serverMessage}`;
  const target = describeTarget(context);
  const details = { status, url: response.url, errorCode: code, repo: context.repoId, revision: context.revision, path: context.path };
  const auth = context.tokenSent === true ? 'the token that was sent was refused' : 'no token was sent';
  if (status === 401) {
    return new SdxlError(
      ErrorCode.HUB_AUTH_REQUIRED,
      `${context.endpoint} answered 401 for ${target}${said}; ${auth}. If the repo is private or gated, set HF_TOKEN ` +
        `(or pass --hub_token) to a token with access; otherwise check the repo id.`,
      { details },
    );
  }
  if (status === 403) {
    return new SdxlError(
      ErrorCode.HUB_ACCESS_DENIED,
      `${context.endpoint} refused access to ${target} (403${said}). For a gated repo accept its conditions on the repo ` +
        `page; to upload, use a token with write permission (HF_TOKEN or --hub_token).`,
      { details },
    );
  }
  if (status === 404 && code === 'RevisionNotFound') {
    return new SdxlError(
      ErrorCode.HUB_REVISION_NOT_FOUND,
      `Revision "${context.revision ?? '?'}" does not exist in ${target} (404${said}). Check --revision: a branch, tag or full commit id.`,
      { details },
    );
  }
  if (status === 404 && code === 'EntryNotFound') {
    const where = describeTarget({ ...context, path: undefined });
    return new SdxlError(ErrorCode.HUB_FILE_NOT_FOUND, `File "${context.path ?? '?'}" does not exist in ${where} (404${said}).`, { details });
  }
  if (status === 404 && context.repoId !== undefined && (code === 'RepoNotFound' || code === undefined)) {
    return new SdxlError(
      ErrorCode.HUB_REPO_NOT_FOUND,
      `${target} was not found on ${context.endpoint} (404${said}). Check the id (org/name)` +
        `${context.type === 'dataset' ? '' : ' and whether it is a dataset'}; if the repo is private, set HF_TOKEN.`,
      { details },
    );
  }
  const hint = status >= 500 || status === 429 ? ' The Hub may be busy or down: retry later, or set HF_HUB_OFFLINE=1 to use the local cache.' : '';
  return new SdxlError(ErrorCode.HUB_REQUEST_FAILED, `${context.endpoint} answered HTTP ${status} for ${target}${said}.${hint}`, { details });
}

/** Turns a failed connection (refused, reset, DNS, TLS, cut body) into HUB_NETWORK_ERROR. */
export function networkError(error: unknown, context: HubRequestContext): SdxlError {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new SdxlError(
    ErrorCode.HUB_NETWORK_ERROR,
    `Could not reach ${context.endpoint} for ${describeTarget(context)} (${reason}). Check the network or HF_ENDPOINT; ` +
      `set HF_HUB_OFFLINE=1 to use only files already in the cache.`,
    { details: { repo: context.repoId, revision: context.revision, path: context.path, reason }, cause: error },
  );
}

async function bodyMessage(response: Response): Promise<string | undefined> {
  try {
    const text = await response.text();
    if (text === '') return undefined;
    try {
      const json = JSON.parse(text) as { error?: unknown; message?: unknown };
      const message = json.error ?? json.message;
      if (typeof message === 'string') return message;
    } catch {
      // Not JSON: use the text itself.
    }
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return undefined;
  }
}
