import { createHash } from 'node:crypto';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { gitBlobOid, startLocalHub, type LocalHub, type LocalRepoFiles } from '@sdxl-trainer/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveRepo, type ResolveRepoOptions } from './resolveRepo.js';
import { bodyRequests, pipelineFiles, removeTempDirs, tempDir } from './testSupport.js';

let hub: LocalHub;
let cacheDir: string;
beforeEach(async () => {
  hub = await startLocalHub();
  cacheDir = await tempDir();
});
afterEach(() => hub.close());
afterAll(removeTempDirs);

const local = (more: ResolveRepoOptions = {}): ResolveRepoOptions => ({
  endpoint: hub.url,
  cacheDir,
  env: { HF_TOKEN_PATH: join(cacheDir, 'no-token') },
  ...more,
});

const FP16 = [
  'model_index.json', 'scheduler/scheduler_config.json', 'text_encoder/config.json', 'text_encoder/model.fp16.safetensors',
  'tokenizer/merges.txt', 'tokenizer/special_tokens_map.json', 'tokenizer/tokenizer_config.json', 'tokenizer/vocab.json',
  'unet/config.json', 'unet/diffusion_pytorch_model.fp16.safetensors', 'vae/config.json', 'vae/diffusion_pytorch_model.safetensors',
];

/**
 * Writes a cache the way huggingface_hub (file_download.py, _tree_cache.py) lays it out after
 * `snapshot_download(..., allow_patterns=FP16)`: `blobs/<etag>` (sha256 for LFS files, git blob id otherwise),
 * `snapshots/<commit>/<path>` as relative symlinks `../../blobs/<etag>` (one more `../` per folder),
 * `refs/main` holding the commit without a newline, and, unless `withTree` is false, `trees/<commit>.json`
 * (format 1, every file of the commit, indent 1).
 */
async function writePythonCache(repo: string, commit: string, files: LocalRepoFiles, downloaded: readonly string[], withTree = true): Promise<void> {
  const storage = join(cacheDir, `models--${repo.replace('/', '--')}`);
  const tree: Record<string, Record<string, unknown>> = {};
  for (const path of Object.keys(files).sort()) {
    const content = toBytes(files[path]);
    const lfs = hub.isLfs('model', repo, path);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const pointerText = `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${content.byteLength}\n`;
    const blobId = lfs ? gitBlobOid(new TextEncoder().encode(pointerText)) : gitBlobOid(content);
    tree[path] = lfs ? { size: content.byteLength, blob_id: blobId, lfs_sha256: sha256, lfs_size: content.byteLength } : { size: content.byteLength, blob_id: blobId };
    if (!downloaded.includes(path)) continue;
    const etag = lfs ? sha256 : blobId;
    await mkdir(join(storage, 'blobs'), { recursive: true });
    await writeFile(join(storage, 'blobs', etag), content);
    const pointer = join(storage, 'snapshots', commit, ...path.split('/'));
    await mkdir(dirname(pointer), { recursive: true });
    await symlink(`${'../'.repeat(path.split('/').length + 1)}blobs/${etag}`, pointer);
  }
  await mkdir(join(storage, 'refs'), { recursive: true });
  await writeFile(join(storage, 'refs', 'main'), commit);
  if (withTree) {
    await mkdir(join(storage, 'trees'), { recursive: true });
    await writeFile(join(storage, 'trees', `${commit}.json`), JSON.stringify({ format_version: 1, files: tree }, null, 1));
  }
}

async function rejection(promise: Promise<unknown>): Promise<SdxlError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SdxlError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('resolveRepo with a cache filled by Python huggingface_hub', () => {
  it('uses it with zero requests for a commit id, and offline for a branch', async () => {
    const files = pipelineFiles();
    const commit = hub.addRepo('model', 'org/pipe', files);
    await writePythonCache('org/pipe', commit, files, FP16);
    hub.resetRequests();
    const pinned = await resolveRepo('org/pipe', local({ revision: commit, variant: 'fp16' }));
    expect(pinned.cached).toEqual(FP16);
    expect(pinned.downloaded).toEqual([]);
    expect(pinned.path).toBe(join(cacheDir, 'models--org--pipe', 'snapshots', commit));
    const offline = await resolveRepo('org/pipe', local({ offline: true, variant: 'fp16' }));
    expect(offline).toMatchObject({ commit, fromCacheOnly: true, cached: FP16 });
    expect(hub.requests).toEqual([]);
  });

  it('online on a branch asks only which commit it is', async () => {
    const files = pipelineFiles();
    const commit = hub.addRepo('model', 'org/pipe', files);
    await writePythonCache('org/pipe', commit, files, FP16);
    hub.resetRequests();
    const result = await resolveRepo('org/pipe', local({ variant: 'fp16' }));
    expect(result.cached).toEqual(FP16);
    expect(hub.requests.map((r) => r.path.split('?')[0])).toEqual(['/api/models/org/pipe/revision/main']);
  });

  it('without a trees/ listing (older huggingface_hub) lists the tree once but fetches no file', async () => {
    const files = pipelineFiles();
    const commit = hub.addRepo('model', 'org/pipe', files);
    await writePythonCache('org/pipe', commit, files, FP16, false);
    hub.resetRequests();
    const result = await resolveRepo('org/pipe', local({ variant: 'fp16' }));
    expect(result.cached).toEqual(FP16);
    expect(bodyRequests(hub)).toEqual([]);
    expect(hub.requests.map((r) => r.path.split('?')[0])).toEqual(['/api/models/org/pipe/revision/main', `/api/models/org/pipe/tree/${commit}`]);
  });
});

describe('resolveRepo offline', () => {
  it('hits: a resolved repo comes back from the cache alone (HF_HUB_OFFLINE=1)', async () => {
    const commit = hub.addRepo('model', 'org/pipe', pipelineFiles());
    await resolveRepo('org/pipe', local({ variant: 'fp16' }));
    await hub.close();
    const result = await resolveRepo('org/pipe', local({ variant: 'fp16', env: { HF_HUB_OFFLINE: '1', HF_TOKEN_PATH: '/none' } }));
    expect(result).toMatchObject({ commit, fromCacheOnly: true, downloaded: [], cached: FP16 });
    hub = await startLocalHub();
  });

  it('misses with HUB_NOT_CACHED naming the repo, or the files not in the cache, without any request', async () => {
    hub.addRepo('model', 'org/pipe', pipelineFiles());
    const none = await rejection(resolveRepo('org/pipe', local({ offline: true })));
    expect(none.code).toBe(ErrorCode.HUB_NOT_CACHED);
    expect(none.message).toMatch(/model "org\/pipe".*HF_HUB_OFFLINE/);
    await resolveRepo('org/pipe', local({ variant: 'fp16' }));
    hub.resetRequests();
    const partial = await rejection(resolveRepo('org/pipe', local({ offline: true })));
    expect(partial.code).toBe(ErrorCode.HUB_NOT_CACHED);
    expect(partial.details?.missing).toEqual(['text_encoder/model.safetensors', 'unet/diffusion_pytorch_model.safetensors']);
    expect(partial.message).toContain('unet/diffusion_pytorch_model.safetensors');
    expect(hub.requests).toEqual([]);
  });

  it('with no trees/ listing, offline uses what the snapshot folder holds', async () => {
    const commit = hub.addRepo('model', 'org/pipe', pipelineFiles());
    await resolveRepo('org/pipe', local({ variant: 'fp16' }));
    await rm(join(cacheDir, 'models--org--pipe', 'trees'), { recursive: true });
    const result = await resolveRepo('org/pipe', local({ offline: true, variant: 'fp16' }));
    expect(result).toMatchObject({ commit, cached: FP16 });
  });

  it('falls back to the cache when the Hub cannot be reached, as huggingface_hub does', async () => {
    const commit = hub.addRepo('model', 'org/pipe', pipelineFiles());
    await resolveRepo('org/pipe', local({ variant: 'fp16' }));
    hub.failNext({ path: '/revision/', resetConnection: true });
    const result = await resolveRepo('org/pipe', local({ variant: 'fp16' }));
    expect(result).toMatchObject({ commit, fromCacheOnly: true, cached: FP16 });
    hub.failNext({ path: '/revision/', status: 503 });
    expect((await resolveRepo('org/pipe', local({ variant: 'fp16' }))).fromCacheOnly).toBe(true);
  });
});

function toBytes(content: string | Uint8Array | undefined): Uint8Array {
  return typeof content === 'string' ? new TextEncoder().encode(content) : (content ?? new Uint8Array());
}
