import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { describe, expect, it } from 'vitest';
import { authorizedFetch, checkedFetch } from './hubFetch.js';

const settings = { endpoint: 'http://127.0.0.1:8080', token: 'hf_secret', cacheDir: '/c', offline: false };

function recorder(response = new Response('{}', { status: 200 })): { fetch: typeof fetch; seen: Array<{ url: string; auth: string | null }> } {
  const seen: Array<{ url: string; auth: string | null }> = [];
  const fetchStub: typeof fetch = async (input, init) => {
    seen.push({ url: String(input), auth: new Headers(init?.headers).get('authorization') });
    return response.clone();
  };
  return { fetch: fetchStub, seen };
}

describe('authorizedFetch', () => {
  it('sends the token to the Hub origin only', async () => {
    const { fetch, seen } = recorder();
    const send = authorizedFetch(settings, fetch);
    await send('http://127.0.0.1:8080/api/models/a/b/revision/main');
    await send('http://localhost:8080/x');
    await send('https://cdn.example/blob', { headers: { authorization: 'Bearer caller' } });
    expect(seen.map((s) => s.auth)).toEqual(['Bearer hf_secret', null, 'Bearer caller']);
  });

  it('sends nothing without a token', async () => {
    const { fetch, seen } = recorder();
    await authorizedFetch({ ...settings, token: undefined }, fetch)('http://127.0.0.1:8080/x');
    expect(seen[0]?.auth).toBeNull();
  });
});

describe('checkedFetch', () => {
  it('turns HTTP errors and connection failures into SdxlErrors with the context', async () => {
    const gone = recorder(new Response('{"error":"Entry not found"}', { status: 404, headers: { 'x-error-code': 'EntryNotFound', 'content-type': 'application/json' } }));
    const context = { endpoint: settings.endpoint, repoId: 'a/b', type: 'model' as const, revision: 'main', path: 'unet/config.json' };
    const error = await checkedFetch(settings, context, gone.fetch)('http://127.0.0.1:8080/a/b/resolve/main/unet/config.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SdxlError);
    expect((error as SdxlError).code).toBe(ErrorCode.HUB_FILE_NOT_FOUND);
    expect((error as SdxlError).message).toBe('File "unet/config.json" does not exist in model "a/b" (revision main) (404: Entry not found).');
    const refused: typeof fetch = async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    };
    const network = await checkedFetch(settings, context, refused)('http://127.0.0.1:8080/x').catch((e: unknown) => e);
    expect((network as SdxlError).code).toBe(ErrorCode.HUB_NETWORK_ERROR);
    expect((network as SdxlError).message).toContain('(ECONNREFUSED)');
  });
});
