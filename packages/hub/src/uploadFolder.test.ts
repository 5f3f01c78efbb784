import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { LOCAL_HUB_TOKEN, startLocalHub, type LocalHub } from '@sdxl-trainer/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRepo } from './createRepo.js';
import { resolveRepo } from './resolveRepo.js';
import { bytes, removeTempDirs, tempDir } from './testSupport.js';
import { uploadFolder, type UploadProgress } from './uploadFolder.js';

let hub: LocalHub;
let folder: string;
const big = bytes(3 * 1024 * 1024 + 5, 77);
beforeEach(async () => {
  hub = await startLocalHub();
  folder = await tempDir('sdxl-upload-');
  await mkdir(join(folder, 'unet'), { recursive: true });
  await mkdir(join(folder, '.git'), { recursive: true });
  await mkdir(join(folder, 'logs'), { recursive: true });
  await writeFile(join(folder, 'unet', 'diffusion_pytorch_model.safetensors'), big);
  await writeFile(join(folder, 'unet', 'config.json'), '{"sample_size":128}');
  await writeFile(join(folder, 'README.md'), '---\nlicense: openrail++\n---\n# fine-tuned\n');
  await writeFile(join(folder, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  await writeFile(join(folder, 'logs', 'events.out.tfevents.1'), 'x');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await hub.close();
});
afterAll(removeTempDirs);

const auth = () => ({ endpoint: hub.url, token: LOCAL_HUB_TOKEN, env: {} });

async function rejection(promise: Promise<unknown>): Promise<SdxlError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SdxlError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('uploadFolder', () => {
  it('uploads the folder contents to the repo root (large file via LFS) and they download back identical', async () => {
    const events: UploadProgress[] = [];
    const result = await uploadFolder('me/finetune', folder, { ...auth(), private: true, ignorePatterns: ['logs/'], onProgress: (e) => events.push(e) });
    const expected = ['README.md', 'unet/config.json', 'unet/diffusion_pytorch_model.safetensors'];
    expect(result.files).toEqual(expected);
    expect(result.commit).toBe(hub.branchHead('model', 'me/finetune'));
    expect(hub.listFiles('model', 'me/finetune')).toEqual(['.gitattributes', ...expected]);
    expect(hub.isLfs('model', 'me/finetune', 'unet/diffusion_pytorch_model.safetensors')).toBe(true);
    expect(hub.isLfs('model', 'me/finetune', 'unet/config.json')).toBe(false);
    const paths = hub.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`);
    expect(paths).toContain('POST /api/repos/create');
    expect(paths).toContain('POST /me/finetune.git/info/lfs/objects/batch');
    expect(paths.filter((p) => p.startsWith('PUT /__lfs-upload/'))).toHaveLength(1);
    expect(paths.at(-1)).toBe('POST /api/models/me/finetune/commit/main');
    expect(events.filter((e) => e.kind === 'phase').map((e) => (e.kind === 'phase' ? e.phase : ''))).toEqual(['preuploading', 'uploadingLargeFiles', 'committing']);

    const back = await resolveRepo('me/finetune', { ...auth(), cacheDir: await tempDir(), select: 'all' });
    expect(back.files).toEqual(['.gitattributes', ...expected]);
    for (const path of expected) expect((await readFile(join(back.path, path))).equals(await readFile(join(folder, path))), path).toBe(true);
  });

  it('puts files under pathInRepo, and follows symlinks (a cache snapshot can be uploaded)', async () => {
    const other = await tempDir();
    await writeFile(join(other, 'target.json'), '{"linked":true}');
    await symlink(join(other, 'target.json'), join(folder, 'linked.json'));
    const result = await uploadFolder('me/ckpt', folder, { ...auth(), pathInRepo: '/checkpoint-10/', allowPatterns: ['*.json'] });
    expect(result.files).toEqual(['checkpoint-10/linked.json', 'checkpoint-10/unet/config.json']);
    expect(new TextDecoder().decode(hub.getFile('model', 'me/ckpt', 'checkpoint-10/linked.json'))).toBe('{"linked":true}');
  });

  it('writes no console output', async () => {
    const spies = (['log', 'info', 'debug', 'warn', 'error'] as const).map((name) => vi.spyOn(console, name).mockImplementation(() => undefined));
    await uploadFolder('me/quiet', folder, auth());
    await resolveRepo('me/quiet', { ...auth(), cacheDir: await tempDir(), select: 'all' });
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('needs a token, and says so before sending anything', async () => {
    const error = await rejection(uploadFolder('me/x', folder, { endpoint: hub.url, env: { HF_TOKEN_PATH: '/none' } }));
    expect(error.code).toBe(ErrorCode.HUB_AUTH_REQUIRED);
    expect(error.message).toContain('HF_TOKEN');
    expect(hub.requests).toEqual([]);
    const refused = await rejection(uploadFolder('me/x', folder, { ...auth(), token: 'hf_wrong' }));
    expect(refused.code).toBe(ErrorCode.HUB_ACCESS_DENIED);
  });

  it('refuses an empty selection', async () => {
    const error = await rejection(uploadFolder('me/x', folder, { ...auth(), allowPatterns: ['*.ckpt'] }));
    expect(error.code).toBe(ErrorCode.HUB_UPLOAD_FAILED);
  });
});

describe('createRepo', () => {
  it('creates once and accepts an existing repo (exist_ok), or refuses it when asked', async () => {
    expect(await createRepo('me/new', { ...auth(), private: true })).toEqual({ repoId: 'me/new', url: `${hub.url}/me/new`, created: true });
    expect(await createRepo('me/new', auth())).toEqual({ repoId: 'me/new', url: `${hub.url}/me/new`, created: false });
    expect((await rejection(createRepo('me/new', { ...auth(), existOk: false }))).details?.status).toBe(409);
    expect(await createRepo('me/data', { ...auth(), type: 'dataset' })).toMatchObject({ url: `${hub.url}/datasets/me/data`, created: true });
    expect((await rejection(createRepo('nonamespace', auth()))).code).toBe(ErrorCode.HUB_INVALID_REPO_ID);
  });
});
