import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitBlobOid, startLocalHub, type LocalHub } from '@sdxl-trainer/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DownloadProgress } from './DownloadProgress.js';
import { resolveRepo, type ResolveRepoOptions } from './resolveRepo.js';
import { bodyRequests, bytes, pipelineFiles, removeTempDirs, tempDir } from './testSupport.js';

let hub: LocalHub;
let cacheDir: string;
beforeEach(async () => {
  hub = await startLocalHub();
  cacheDir = await tempDir();
});
afterEach(() => hub.close());
afterAll(removeTempDirs);

/** Options that point at the local Hub and a fresh cache, ignoring the developer's own HF_* variables. */
const local = (more: ResolveRepoOptions = {}): ResolveRepoOptions => ({
  endpoint: hub.url,
  cacheDir,
  env: { HF_TOKEN_PATH: join(cacheDir, 'no-token') },
  ...more,
});

/** The blob name huggingface_hub gives a file: sha256 of the content for LFS files, the git blob id otherwise. */
function etag(path: string, content: Uint8Array, repo = 'org/pipe', type: 'model' | 'dataset' = 'model'): string {
  return hub.isLfs(type, repo, path) ? createHash('sha256').update(content).digest('hex') : gitBlobOid(content);
}

const FP16_SELECTION = [
  'model_index.json', 'scheduler/scheduler_config.json', 'text_encoder/config.json', 'text_encoder/model.fp16.safetensors',
  'tokenizer/merges.txt', 'tokenizer/special_tokens_map.json', 'tokenizer/tokenizer_config.json', 'tokenizer/vocab.json',
  'unet/config.json', 'unet/diffusion_pytorch_model.fp16.safetensors', 'vae/config.json', 'vae/diffusion_pytorch_model.safetensors',
];

describe('resolveRepo: models', () => {
  it('downloads only what the run needs into the Hugging Face cache layout', async () => {
    const files = pipelineFiles();
    const commit = hub.addRepo('model', 'org/pipe', files);
    const result = await resolveRepo('org/pipe', local({ variant: 'fp16' }));

    const storage = join(cacheDir, 'models--org--pipe');
    expect(result).toMatchObject({ local: false, repoId: 'org/pipe', type: 'model', commit, path: join(storage, 'snapshots', commit) });
    expect(result.files).toEqual(FP16_SELECTION);
    expect(result.downloaded).toEqual(FP16_SELECTION);
    expect(result.cached).toEqual([]);
    expect(await readFile(join(storage, 'refs', 'main'), 'utf8')).toBe(commit);

    for (const path of FP16_SELECTION) {
      const content = files[path] as string | Uint8Array;
      const expected = typeof content === 'string' ? new TextEncoder().encode(content) : content;
      const pointer = join(result.path, ...path.split('/'));
      expect((await lstat(pointer)).isSymbolicLink(), path).toBe(true);
      const target = await readlink(pointer);
      expect(target, path).toBe(relative(join(pointer, '..'), join(storage, 'blobs', etag(path, expected))));
      expect(target.startsWith(path.includes('/') ? '../../../blobs/' : '../../blobs/'), path).toBe(true);
      expect(new Uint8Array(await readFile(pointer)), path).toEqual(expected);
    }
    const blobs = await readdir(join(storage, 'blobs'));
    expect(blobs.some((name) => name.endsWith('.incomplete'))).toBe(false);
    expect(blobs).toHaveLength(new Set(FP16_SELECTION.map((p) => etag(p, toBytes(files[p])))).size);

    const fetched = bodyRequests(hub).join('\n');
    for (const never of ['.bin', '.msgpack', '.onnx', 'openvino', 'vae_1_0', '01.png', 'sd_xl_base', 'README.md', 'model.safetensors?']) {
      expect(fetched).not.toContain(never);
    }
    const tree = JSON.parse(await readFile(join(storage, 'trees', `${commit}.json`), 'utf8')) as { format_version: number; files: Record<string, unknown> };
    expect(tree.format_version).toBe(1);
    expect(Object.keys(tree.files)).toEqual(hub.listFiles('model', 'org/pipe'));
  });

  it('takes the plain weights without a variant, next to an earlier fp16 snapshot', async () => {
    hub.addRepo('model', 'org/pipe', pipelineFiles());
    await resolveRepo('org/pipe', local({ variant: 'fp16' }));
    const plain = await resolveRepo('org/pipe', local());
    expect(plain.downloaded).toEqual(['text_encoder/model.safetensors', 'unet/diffusion_pytorch_model.safetensors']);
    expect(plain.cached).toContain('vae/diffusion_pytorch_model.safetensors');
    expect(plain.files).not.toContain('unet/diffusion_pytorch_model.fp16.safetensors');
  });

  it('uses the cache on a second resolve: one metadata request, no file bodies; none at all for a commit id', async () => {
    const commit = hub.addRepo('model', 'org/pipe', pipelineFiles());
    const first = await resolveRepo('org/pipe', local({ variant: 'fp16' }));
    hub.resetRequests();
    const second = await resolveRepo('org/pipe', local({ variant: 'fp16' }));
    expect(second.path).toBe(first.path);
    expect(second.downloaded).toEqual([]);
    expect(second.cached).toEqual(FP16_SELECTION);
    expect(bodyRequests(hub)).toEqual([]);
    expect(hub.requests.map((r) => r.path.split('?')[0])).toEqual(['/api/models/org/pipe/revision/main']);
    hub.resetRequests();
    const pinned = await resolveRepo('org/pipe', local({ variant: 'fp16', revision: commit }));
    expect(pinned.cached).toEqual(FP16_SELECTION);
    expect(hub.requests).toEqual([]);
  });

  it('follows the branch to its new commit and fetches only changed blobs', async () => {
    const files = pipelineFiles();
    hub.addRepo('model', 'org/pipe', files);
    await resolveRepo('org/pipe', local({ variant: 'fp16' }));
    const next = hub.addRepo('model', 'org/pipe', { 'unet/config.json': '{"sample_size":16}' });
    const updated = await resolveRepo('org/pipe', local({ variant: 'fp16' }));
    expect(updated.commit).toBe(next);
    expect(updated.downloaded).toEqual(['unet/config.json']);
    expect(await readFile(join(cacheDir, 'models--org--pipe', 'refs', 'main'), 'utf8')).toBe(next);
    expect(await readFile(join(updated.path, 'unet', 'config.json'), 'utf8')).toBe('{"sample_size":16}');
  });

  it('returns an existing local path as given, without asking the Hub', async () => {
    const folder = await tempDir();
    const result = await resolveRepo(folder, local());
    expect(result).toMatchObject({ path: folder, local: true, commit: undefined, downloaded: [] });
    expect(hub.requests).toEqual([]);
  });

  it('downloads with bounded concurrency, and a blob shared by two paths once', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 8; i += 1) files[`shards/part-${i}.safetensors`] = bytes(20_000, 100 + i);
    files['copy/part-0.safetensors'] = files['shards/part-0.safetensors'] as Uint8Array;
    hub.addRepo('model', 'org/many', files);
    hub.failNext({ method: 'GET', path: '/__lfs/', delayMs: 60, times: Infinity });
    hub.resetRequests();
    const result = await resolveRepo('org/many', local({ select: 'all', concurrency: 2, allowPatterns: ['shards/*', 'copy/*'] }));
    expect(result.downloaded).toHaveLength(9);
    expect(hub.maxConcurrentRequests).toBe(2);
    const sha = createHash('sha256').update(files['shards/part-0.safetensors'] as Uint8Array).digest('hex');
    expect(hub.requests.filter((r) => r.method === 'GET' && r.path.startsWith(`/__lfs/${sha}`))).toHaveLength(1);
    expect(await readFile(join(result.path, 'copy', 'part-0.safetensors'))).toEqual(Buffer.from(files['shards/part-0.safetensors'] as Uint8Array));
  });

  it('reports progress per file up to its size', async () => {
    const big = bytes(3 * 1024 * 1024 + 17, 7);
    hub.addRepo('model', 'org/big', { 'unet/config.json': '{}', 'unet/diffusion_pytorch_model.safetensors': big });
    const events: DownloadProgress[] = [];
    await resolveRepo('org/big', local({ onProgress: (event) => events.push(event) }));
    const unet = events.filter((e) => e.path === 'unet/diffusion_pytorch_model.safetensors');
    expect(unet.length).toBeGreaterThanOrEqual(3);
    expect(unet.every((e) => e.total === big.byteLength && e.repoId === 'org/big')).toBe(true);
    expect(unet.map((e) => e.downloaded)).toEqual([...unet.map((e) => e.downloaded)].sort((a, b) => a - b));
    expect(unet.at(-1)).toMatchObject({ downloaded: big.byteLength, done: true });
    expect(unet.filter((e) => e.done)).toHaveLength(1);
  });
});

describe('resolveRepo: datasets', () => {
  it('fetches every dataset file into datasets--org--name, narrowed by allow patterns', async () => {
    const files = { 'README.md': '---\nconfigs: []\n---\n', 'data/train-00000-of-00001.parquet': bytes(4000, 3), 'metadata.jsonl': '{"file_name":"a.png","text":"a"}\n', 'images/a.png': bytes(300, 4), 'empty.txt': '' };
    const commit = hub.addRepo('dataset', 'org/ds', files);
    const all = await resolveRepo('org/ds', local({ type: 'dataset' }));
    expect(all.path).toBe(join(cacheDir, 'datasets--org--ds', 'snapshots', commit));
    expect(all.files).toEqual(['.gitattributes', 'README.md', 'data/train-00000-of-00001.parquet', 'empty.txt', 'images/a.png', 'metadata.jsonl']);
    expect(await readFile(join(all.path, 'empty.txt'), 'utf8')).toBe('');
    expect(new Uint8Array(await readFile(join(all.path, 'data', 'train-00000-of-00001.parquet')))).toEqual(files['data/train-00000-of-00001.parquet']);
    expect(hub.requests.some((r) => r.path.startsWith('/datasets/org/ds/resolve/'))).toBe(true);
    const some = await resolveRepo('org/ds', local({ type: 'dataset', allowPatterns: ['data/'] }));
    expect(some.files).toEqual(['data/train-00000-of-00001.parquet']);
  });
});

describe('resolveRepo: the sdxl-tiny fixture served by the local Hub', () => {
  const root = fileURLToPath(new URL('../../../../shared/fixtures/sdxl-tiny', import.meta.url));
  if (!existsSync(join(root, 'model_index.json'))) {
    throw new Error(`sdxl-tiny fixtures not found at ${root}; they are required (see /work/shared/fixtures)`);
  }

  it('resolves to a snapshot whose files equal the fixture byte for byte', async () => {
    const files: Record<string, Uint8Array> = {};
    const walk = async (dir: string, prefix: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) await walk(join(dir, entry.name), `${prefix}${entry.name}/`);
        else files[prefix + entry.name] = new Uint8Array(await readFile(join(dir, entry.name)));
      }
    };
    await walk(root, '');
    hub.addRepo('model', 'fixtures/sdxl-tiny', files);
    const result = await resolveRepo('fixtures/sdxl-tiny', local());
    // Everything but the root README and the reference/ outputs (not a pipeline component) is part of the pipeline.
    const expected = Object.keys(files).filter((p) => p !== 'README.md' && !p.startsWith('reference/')).sort();
    expect(result.files).toEqual(expected);
    // why: compare with Buffer.equals; a deep toEqual over megabytes of typed-array elements takes minutes.
    for (const path of expected) expect((await readFile(join(result.path, path))).equals(files[path] as Uint8Array), path).toBe(true);
  });
});

function toBytes(content: string | Uint8Array | undefined): Uint8Array {
  return typeof content === 'string' ? new TextEncoder().encode(content) : (content ?? new Uint8Array());
}
