import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { HubSettings } from '@sdxl-trainer/hub';

/**
 * The user name the token belongs to (`GET /api/whoami-v2`, huggingface_hub's `whoami`), which `create_repo` uses
 * as the namespace of a bare repo name.
 */
export async function whoami(settings: HubSettings, fetchImpl: typeof fetch = globalThis.fetch): Promise<string> {
  const url = `${settings.endpoint}/api/whoami-v2`;
  if (settings.token === undefined) {
    throw new SdxlError(ErrorCode.HUB_AUTH_REQUIRED, `No Hub token to ask ${settings.endpoint} who you are: set HF_TOKEN or pass --hub_token.`, {
      details: { endpoint: settings.endpoint },
    });
  }
  let response: Response;
  try {
    response = await fetchImpl(url, { headers: { authorization: `Bearer ${settings.token}` } });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new SdxlError(ErrorCode.HUB_NETWORK_ERROR, `Could not reach ${settings.endpoint} to ask who the token belongs to (${reason}). Check the network or HF_ENDPOINT.`, {
      details: { url, reason },
      cause: error,
    });
  }
  if (response.status === 401 || response.status === 403) {
    throw new SdxlError(
      ErrorCode.HUB_AUTH_REQUIRED,
      `${settings.endpoint} refused the Hub token (${response.status} from /api/whoami-v2): set HF_TOKEN or --hub_token to a valid token with write access.`,
      { details: { url, status: response.status } },
    );
  }
  if (!response.ok) {
    throw new SdxlError(ErrorCode.HUB_REQUEST_FAILED, `${settings.endpoint} answered HTTP ${response.status} to /api/whoami-v2; retry later, or pass hubModelId as "namespace/name".`, {
      details: { url, status: response.status },
    });
  }
  const body = (await response.json()) as { name?: unknown };
  if (typeof body.name !== 'string' || body.name === '') {
    throw new SdxlError(ErrorCode.HUB_REQUEST_FAILED, `${settings.endpoint}/api/whoami-v2 returned no user name; pass hubModelId as "namespace/name".`, { details: { url } });
  }
  return body.name;
}
