import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { gitBlobOid, startLocalHub, type LocalHub } from '@sdxl-trainer/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveRepo, type ResolveRepoOptions } from './resolveRepo.js';
import { bytes, removeTempDirs, tempDir } from './testSupport.js';

let hub: LocalHub;
let cacheDir: string;
let commit: string;
const weights = bytes(200_000, 42);
const sha = createHash('sha256').update(weights).digest('hex');
const config = '{"sample_size":8,"in_channels":4}';
const WEIGHTS = 'unet/diffusion_pytorch_model.safetensors';

beforeEach(async () => {
  hub = await startLocalHub();
  cacheDir = await tempDir();
  commit = hub.addRepo('model', 'org/unet', { 'unet/config.json': config, [WEIGHTS]: weights });
});
afterEach(() => hub.close());
afterAll(removeTempDirs);

const local = (more: ResolveRepoOptions = {}): ResolveRepoOptions => ({
  endpoint: hub.url,
  cacheDir,
  env: { HF_TOKEN_PATH: join(cacheDir, 'no-token') },
  subfolders: ['unet'],
  ...more,
});
const blobs = () => join(cacheDir, 'models--org--unet', 'blobs');
const pointer = () => join(cacheDir, 'models--org--unet', 'snapshots', commit, 'unet', 'diffusion_pytorch_model.safetensors');
const weightGets = () => hub.requests.filter((r) => r.method === 'GET' && r.path.startsWith(`/__lfs/${sha}`));

async function rejection(promise: Promise<unknown>): Promise<SdxlError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SdxlError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('resolveRepo: interrupted and damaged downloads', () => {
  it('leaves only an .incomplete when the connection drops, then resumes it with a Range request', async () => {
    hub.failNext({ method: 'GET', path: WEIGHTS, dropAfterBytes: 70_000 });
    const error = await rejection(resolveRepo('org/unet', local({ retries: 0 })));
    expect(error.code).toBe(ErrorCode.HUB_NETWORK_ERROR);
    expect(error.message).toContain('org/unet');
    expect(error.message).toContain(WEIGHTS);
    const partial = await readFile(join(blobs(), `${sha}.incomplete`));
    expect(partial.byteLength).toBe(70_000);
    expect(partial.equals(weights.subarray(0, 70_000))).toBe(true);
    expect(existsSync(join(blobs(), sha))).toBe(false);
    expect(existsSync(pointer())).toBe(false);

    hub.resetRequests();
    const result = await resolveRepo('org/unet', local());
    expect(result.downloaded).toEqual([WEIGHTS]);
    expect((await readFile(pointer())).equals(weights)).toBe(true);
    expect(weightGets().map((r) => r.headers.range)).toEqual(['bytes=70000-']);
    expect(hub.requests.find((r) => r.path.startsWith(`/__lfs/${sha}`))?.status).toBe(206);
    expect((await readdir(blobs())).filter((name) => name.endsWith('.incomplete'))).toEqual([]);
  });

  it('resumes within one call when the transfer breaks (retries)', async () => {
    hub.failNext({ method: 'GET', path: WEIGHTS, dropAfterBytes: 50_000 });
    hub.failNext({ method: 'GET', path: WEIGHTS, dropAfterBytes: 60_000 });
    const result = await resolveRepo('org/unet', local({ retries: 2 }));
    expect(result.downloaded).toEqual(['unet/config.json', WEIGHTS]);
    expect((await readFile(pointer())).equals(weights)).toBe(true);
    expect(weightGets().map((r) => r.headers.range)).toEqual([undefined, 'bytes=50000-', 'bytes=110000-']);
  });

  it('gives up after the retries with the partial file kept for later', async () => {
    hub.failNext({ method: 'GET', path: WEIGHTS, dropAfterBytes: 10_000, times: 3 });
    expect((await rejection(resolveRepo('org/unet', local({ retries: 2 })))).code).toBe(ErrorCode.HUB_NETWORK_ERROR);
    expect((await readFile(join(blobs(), `${sha}.incomplete`))).byteLength).toBe(30_000);
    expect(existsSync(join(blobs(), sha))).toBe(false);
  });

  it('never takes a damaged .incomplete as complete: full-size garbage, a wrong prefix, or too many bytes', async () => {
    const configOid = gitBlobOid(new TextEncoder().encode(config));
    for (const damaged of [bytes(weights.byteLength, 1), bytes(80_000, 2), bytes(weights.byteLength + 10, 3)]) {
      await mkdir(blobs(), { recursive: true });
      await writeFile(join(blobs(), `${sha}.incomplete`), damaged);
      await writeFile(join(blobs(), `${configOid}.incomplete`), config.replace('8', '9'));
      hub.resetRequests();
      const result = await resolveRepo('org/unet', local());
      expect(result.downloaded).toEqual(['unet/config.json', WEIGHTS]);
      expect((await readFile(pointer())).equals(weights)).toBe(true);
      expect(await readFile(join(result.path, 'unet', 'config.json'), 'utf8')).toBe(config);
      // The last transfer of each file was a full one, from byte 0.
      expect(weightGets().at(-1)?.headers.range).toBeUndefined();
      expect((await readdir(blobs())).filter((name) => name.endsWith('.incomplete'))).toEqual([]);
      await import('node:fs/promises').then(({ rm }) => rm(join(cacheDir, 'models--org--unet'), { recursive: true }));
    }
  });

  it('fails with HUB_DOWNLOAD_CORRUPT, keeping nothing, when the bytes never match the listed checksum', async () => {
    const corrupting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url).includes('resolve/')) return response;
      const body = new Uint8Array(await response.arrayBuffer());
      if (body.byteLength > 0) body[body.byteLength - 1] = (body[body.byteLength - 1] ?? 0) ^ 0xff;
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const error = await rejection(resolveRepo('org/unet', local({ fetch: corrupting })));
    expect(error.code).toBe(ErrorCode.HUB_DOWNLOAD_CORRUPT);
    expect(error.message).toMatch(/unet\/(config\.json|diffusion_pytorch_model\.safetensors)/);
    expect((await readdir(blobs()).catch(() => [])).filter((name) => !name.endsWith('.lock'))).toEqual([]);
    expect(existsSync(pointer())).toBe(false);
  });
});
