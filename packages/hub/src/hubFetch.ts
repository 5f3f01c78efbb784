import { isSdxlError } from '@sdxl-trainer/errors';
import { errorFromResponse, networkError } from './hubErrors.js';
import type { HubRequestContext } from './HubRequestContext.js';
import type { HubSettings } from './hubSettings.js';

/**
 * A fetch that sends `Authorization: Bearer <token>` to the Hub's own origin only (so a redirect to a CDN or any
 * other host never carries the token; fetch also drops it on cross-origin redirects).
 */
export function authorizedFetch(settings: HubSettings, baseFetch: typeof fetch = globalThis.fetch): typeof fetch {
  const origin = new URL(settings.endpoint).origin;
  return (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const headers = new Headers(init?.headers);
    if (settings.token !== undefined && url.origin === origin) headers.set('authorization', `Bearer ${settings.token}`);
    return baseFetch(input, { ...init, headers });
  };
}

/**
 * {@link authorizedFetch} that throws an SdxlError for connection failures and non-2xx answers, naming the repo and
 * file of `context`. Given to @huggingface/hub calls so their errors say what to do.
 */
export function checkedFetch(settings: HubSettings, context: HubRequestContext, baseFetch?: typeof fetch): typeof fetch {
  const send = authorizedFetch(settings, baseFetch);
  const full = { ...context, tokenSent: settings.token !== undefined };
  return async (input, init) => {
    let response: Response;
    try {
      response = await send(input, init);
    } catch (error) {
      if (isSdxlError(error) || (error as Error | undefined)?.name === 'AbortError') throw error;
      throw networkError(error, full);
    }
    if (!response.ok) throw await errorFromResponse(response, full);
    return response;
  };
}
