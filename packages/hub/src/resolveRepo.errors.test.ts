import { join } from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { LOCAL_HUB_TOKEN, startLocalHub, type LocalHub } from '@sdxl-trainer/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveRepo, type ResolveRepoOptions } from './resolveRepo.js';
import { removeTempDirs, tempDir } from './testSupport.js';

let hub: LocalHub;
let cacheDir: string;
beforeEach(async () => {
  hub = await startLocalHub();
  cacheDir = await tempDir();
  hub.addRepo('model', 'org/public', { 'config.json': '{}', 'diffusion_pytorch_model.safetensors': new Uint8Array(64) });
  hub.addRepo('model', 'org/secret', { 'config.json': '{"private":true}', 'diffusion_pytorch_model.safetensors': new Uint8Array(64).fill(1) }, { private: true });
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await hub.close();
});
afterAll(removeTempDirs);

const local = (more: ResolveRepoOptions = {}): ResolveRepoOptions => ({
  endpoint: hub.url,
  cacheDir,
  env: { HF_TOKEN_PATH: join(cacheDir, 'no-token') },
  ...more,
});

async function rejection(promise: Promise<unknown>): Promise<SdxlError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SdxlError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('resolveRepo errors name the repo and say what to do', () => {
  it('unknown repo: HUB_REPO_NOT_FOUND', async () => {
    const error = await rejection(resolveRepo('org/missing', local()));
    expect(error.code).toBe(ErrorCode.HUB_REPO_NOT_FOUND);
    expect(error.message).toContain('model "org/missing"');
    expect(error.message).toContain(hub.url);
    expect(error.details).toMatchObject({ status: 404, errorCode: 'RepoNotFound', repo: 'org/missing' });
  });

  it('private repo: 401 without a token, 403 with a wrong one, files with the right one', async () => {
    const anonymous = await rejection(resolveRepo('org/secret', local()));
    expect(anonymous.code).toBe(ErrorCode.HUB_AUTH_REQUIRED);
    expect(anonymous.message).toMatch(/org\/secret.*no token was sent.*HF_TOKEN/);
    const wrong = await rejection(resolveRepo('org/secret', local({ token: 'hf_wrong' })));
    expect(wrong.code).toBe(ErrorCode.HUB_ACCESS_DENIED);
    expect(wrong.message).toContain('org/secret');
    const ok = await resolveRepo('org/secret', local({ token: LOCAL_HUB_TOKEN }));
    expect(ok.downloaded).toEqual(['config.json', 'diffusion_pytorch_model.safetensors']);
    const sent = hub.requests.filter((r) => !r.path.startsWith('/__lfs/')).at(-1);
    expect(sent?.headers.authorization).toBe(`Bearer ${LOCAL_HUB_TOKEN}`);
  });

  it('unknown revision: HUB_REVISION_NOT_FOUND naming it', async () => {
    const error = await rejection(resolveRepo('org/public', local({ revision: 'v9' })));
    expect(error.code).toBe(ErrorCode.HUB_REVISION_NOT_FOUND);
    expect(error.message).toMatch(/Revision "v9" does not exist in model "org\/public"/);
  });

  it('network failure with nothing cached: HUB_NETWORK_ERROR suggesting HF_HUB_OFFLINE', async () => {
    const endpoint = hub.url;
    await hub.close();
    const error = await rejection(resolveRepo('org/public', { cacheDir, endpoint, env: { HF_TOKEN_PATH: '/none' } }));
    expect(error.code).toBe(ErrorCode.HUB_NETWORK_ERROR);
    expect(error.message).toMatch(/org\/public.*ECONNREFUSED.*HF_HUB_OFFLINE=1/);
    hub = await startLocalHub();
  });

  it('a file whose download keeps failing names that file', async () => {
    hub.failNext({ method: 'GET', path: 'diffusion_pytorch_model.safetensors', status: 500, times: Infinity });
    const error = await rejection(resolveRepo('org/public', local({ retries: 1 })));
    expect(error.code).toBe(ErrorCode.HUB_REQUEST_FAILED);
    expect(error.message).toMatch(/HTTP 500 for model "org\/public" \(revision [0-9a-f]{40}, file diffusion_pytorch_model\.safetensors\)/);
  });

  it('neither a folder nor a repo id: HUB_INVALID_REPO_ID', async () => {
    expect((await rejection(resolveRepo('./no/such/folder', local()))).code).toBe(ErrorCode.HUB_INVALID_REPO_ID);
    expect((await rejection(resolveRepo('org--x/name', local()))).code).toBe(ErrorCode.HUB_INVALID_REPO_ID);
    expect(hub.requests).toEqual([]);
  });
});

describe('resolveRepo reads the environment like huggingface_hub', () => {
  it('maps HF_ENDPOINT, HF_TOKEN and HF_HUB_CACHE from process.env', async () => {
    vi.stubEnv('HF_ENDPOINT', hub.url);
    vi.stubEnv('HF_TOKEN', LOCAL_HUB_TOKEN);
    vi.stubEnv('HF_HUB_CACHE', cacheDir);
    vi.stubEnv('HF_HUB_OFFLINE', '');
    vi.stubEnv('TRANSFORMERS_OFFLINE', '');
    const result = await resolveRepo('org/secret');
    expect(result.path.startsWith(join(cacheDir, 'models--org--secret'))).toBe(true);
    expect(hub.requests[0]?.headers.authorization).toBe(`Bearer ${LOCAL_HUB_TOKEN}`);
  });

  it('maps HUGGING_FACE_HUB_TOKEN and HF_HOME, and lets options win', async () => {
    const home = await tempDir();
    const result = await resolveRepo('org/secret', { endpoint: hub.url, env: { HF_HOME: home, HUGGING_FACE_HUB_TOKEN: LOCAL_HUB_TOKEN } });
    expect(result.path.startsWith(join(home, 'hub', 'models--org--secret'))).toBe(true);
    const refused = await rejection(resolveRepo('org/secret', { endpoint: hub.url, token: 'hf_wrong', cacheDir: await tempDir(), env: { HF_TOKEN: LOCAL_HUB_TOKEN } }));
    expect(refused.code).toBe(ErrorCode.HUB_ACCESS_DENIED);
  });
});
