import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { gitBlobOid, lfsPointer } from './gitObjects.js';
import { LOCAL_HUB_TOKEN, startLocalHub } from './startLocalHub.js';
import type { LocalHub } from './types.js';

let hub: LocalHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

const weights = new Uint8Array(5000).map((_, i) => (i * 7) % 251);
const sha256 = createHash('sha256').update(weights).digest('hex');
const auth = { Authorization: `Bearer ${LOCAL_HUB_TOKEN}` };

async function started(): Promise<LocalHub> {
  hub = await startLocalHub({
    repos: [
      { type: 'model', id: 'org/tiny', files: { 'model_index.json': '{"a":1}\n', 'unet/config.json': '{}', 'unet/w.safetensors': weights } },
      { type: 'dataset', id: 'org/data', files: { 'train/0.parquet': weights, 'README.md': '# data\n' } },
      { type: 'model', id: 'org/secret', files: { 'config.json': '{}' }, private: true },
    ],
  });
  return hub;
}

describe('git object ids', () => {
  it('match git hash-object for well-known blobs', () => {
    // `printf '' | git hash-object --stdin` and `echo hello | git hash-object --stdin`
    expect(gitBlobOid(new Uint8Array())).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
    expect(gitBlobOid(new TextEncoder().encode('hello\n'))).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });
});

describe('startLocalHub: read side', () => {
  it('answers revision info with the branch head sha and siblings', async () => {
    const h = await started();
    const info = (await (await fetch(`${h.url}/api/models/org/tiny/revision/main`)).json()) as { sha: string; siblings: Array<{ rfilename: string }> };
    expect(info.sha).toBe(h.branchHead('model', 'org/tiny'));
    expect(info.siblings.map((s) => s.rfilename)).toEqual(['.gitattributes', 'model_index.json', 'unet/config.json', 'unet/w.safetensors']);
    const byCommit = (await (await fetch(`${h.url}/api/models/org/tiny/revision/${info.sha}`)).json()) as { sha: string };
    expect(byCommit.sha).toBe(info.sha);
  });

  it('lists the tree recursively or one level, with LFS metadata, and pages with Link', async () => {
    const h = await started();
    const all = (await (await fetch(`${h.url}/api/models/org/tiny/tree/main?recursive=True`)).json()) as Array<Record<string, unknown>>;
    expect(all.map((e) => `${String(e.type)}:${String(e.path)}`)).toEqual([
      'file:.gitattributes', 'file:model_index.json', 'directory:unet', 'file:unet/config.json', 'file:unet/w.safetensors',
    ]);
    const lfsEntry = all.find((e) => e.path === 'unet/w.safetensors');
    const pointer = new TextEncoder().encode(lfsPointer(sha256, weights.byteLength));
    expect(lfsEntry).toMatchObject({ size: 5000, oid: gitBlobOid(pointer), lfs: { oid: sha256, size: 5000, pointerSize: pointer.byteLength } });
    const top = (await (await fetch(`${h.url}/api/models/org/tiny/tree/main`)).json()) as Array<{ path: string }>;
    expect(top.map((e) => e.path)).toEqual(['.gitattributes', 'model_index.json', 'unet']);
    const sub = (await (await fetch(`${h.url}/api/models/org/tiny/tree/main/unet`)).json()) as Array<{ path: string }>;
    expect(sub.map((e) => e.path)).toEqual(['unet/config.json', 'unet/w.safetensors']);

    await h.close();
    hub = await startLocalHub({ treePageSize: 2, repos: [{ type: 'model', id: 'a/b', files: { x: '1', y: '2', z: '3' } }] });
    const first = await fetch(`${hub.url}/api/models/a/b/tree/main?recursive=true`);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1];
    expect(((await first.json()) as unknown[]).length).toBe(2);
    expect(next).toBeDefined();
    const second = (await (await fetch(next as string)).json()) as Array<{ path: string }>;
    expect(second.map((e) => e.path)).toEqual(['y', 'z']);
  });

  it('answers paths-info for JSON and form bodies, leaving out missing paths', async () => {
    const h = await started();
    const json = await fetch(`${h.url}/api/models/org/tiny/paths-info/main`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ paths: ['unet/w.safetensors', 'nope', 'unet'], expand: true }),
    });
    const entries = (await json.json()) as Array<{ path: string; type: string; lastCommit?: { id: string } }>;
    expect(entries.map((e) => `${e.type}:${e.path}`)).toEqual(['file:unet/w.safetensors', 'directory:unet']);
    expect(entries[0]?.lastCommit?.id).toBe(h.branchHead('model', 'org/tiny'));
    const form = await fetch(`${h.url}/api/models/org/tiny/paths-info/main`, { method: 'POST', body: new URLSearchParams([['paths', 'model_index.json'], ['expand', 'False']]) });
    expect(((await form.json()) as Array<{ path: string }>).map((e) => e.path)).toEqual(['model_index.json']);
  });

  it('resolves regular files with ETag = git blob id and X-Repo-Commit', async () => {
    const h = await started();
    const response = await fetch(`${h.url}/org/tiny/resolve/main/model_index.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe(`"${gitBlobOid(new TextEncoder().encode('{"a":1}\n'))}"`);
    expect(response.headers.get('x-repo-commit')).toBe(h.branchHead('model', 'org/tiny'));
    expect(await response.text()).toBe('{"a":1}\n');
  });

  it('redirects LFS files like the Hub, with X-Linked-Etag/Size, and serves Range requests', async () => {
    const h = await started();
    const head = await fetch(`${h.url}/org/tiny/resolve/main/unet/w.safetensors`, { method: 'HEAD', redirect: 'manual' });
    expect(head.status).toBe(302);
    expect(head.headers.get('x-linked-etag')).toBe(`"${sha256}"`);
    expect(head.headers.get('x-linked-size')).toBe('5000');
    expect(head.headers.get('location')).toMatch(new RegExp(`^${h.url}/__lfs/${sha256}`));

    const full = await fetch(`${h.url}/org/tiny/resolve/main/unet/w.safetensors`);
    expect(new Uint8Array(await full.arrayBuffer())).toEqual(weights);
    const first = await fetch(`${h.url}/org/tiny/resolve/main/unet/w.safetensors`, { headers: { Range: 'bytes=0-0' } });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe('bytes 0-0/5000');
    expect(new Uint8Array(await first.arrayBuffer())).toEqual(weights.subarray(0, 1));
    const tail = await fetch(`${h.url}/org/tiny/resolve/main/unet/w.safetensors`, { headers: { Range: 'bytes=4990-' } });
    expect(tail.headers.get('content-range')).toBe('bytes 4990-4999/5000');
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(weights.subarray(4990));
    const beyond = await fetch(`${h.url}/org/tiny/resolve/main/unet/w.safetensors`, { headers: { Range: 'bytes=5000-' } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */5000');
  });

  it('serves datasets under /datasets and /api/datasets', async () => {
    const h = await started();
    expect((await fetch(`${h.url}/datasets/org/data/resolve/main/README.md`)).status).toBe(200);
    expect((await fetch(`${h.url}/api/datasets/org/data/revision/main`)).status).toBe(200);
    expect((await fetch(`${h.url}/org/data/resolve/main/README.md`)).status).toBe(404);
  });

  it('tells repo, revision and entry misses apart with X-Error-Code', async () => {
    const h = await started();
    const repo = await fetch(`${h.url}/api/models/org/none/revision/main`);
    expect([repo.status, repo.headers.get('x-error-code')]).toEqual([404, 'RepoNotFound']);
    const revision = await fetch(`${h.url}/org/tiny/resolve/nope/model_index.json`);
    expect([revision.status, revision.headers.get('x-error-code')]).toEqual([404, 'RevisionNotFound']);
    const entry = await fetch(`${h.url}/org/tiny/resolve/main/missing.json`);
    expect([entry.status, entry.headers.get('x-error-code')]).toEqual([404, 'EntryNotFound']);
  });

  it('guards private repos: 401 without a token, 403 with a wrong one, 200 with the right one', async () => {
    const h = await started();
    const url = `${h.url}/org/secret/resolve/main/config.json`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { Authorization: 'Bearer hf_wrong' } })).status).toBe(403);
    expect((await fetch(url, { headers: auth })).status).toBe(200);
    expect(h.requests.at(-1)?.headers.authorization).toBe(`Bearer ${LOCAL_HUB_TOKEN}`);
  });
});

describe('startLocalHub: write side', () => {
  it('creates repos, takes LFS uploads and NDJSON commits, and serves the result', async () => {
    const h = await started();
    const create = (body: unknown, headers: Record<string, string> = auth) =>
      fetch(`${h.url}/api/repos/create`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await create({ name: 'out', organization: 'me', type: 'model' }, {})).status).toBe(401);
    const created = await create({ name: 'out', organization: 'me', type: 'model', private: true });
    expect(await created.json()).toMatchObject({ url: `${h.url}/me/out`, name: 'me/out' });
    expect((await create({ name: 'out', organization: 'me', type: 'model' })).status).toBe(409);

    const preupload = await fetch(`${h.url}/api/models/me/out/preupload/main`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ files: [{ path: 'w.safetensors', size: 5000, sample: '' }, { path: 'README.md', size: 3, sample: '' }] }),
    });
    expect(((await preupload.json()) as { files: Array<{ uploadMode: string }> }).files.map((f) => f.uploadMode)).toEqual(['lfs', 'regular']);

    const batch = await fetch(`${h.url}/me/out.git/info/lfs/objects/batch`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/vnd.git-lfs+json' },
      body: JSON.stringify({ operation: 'upload', transfers: ['basic'], objects: [{ oid: sha256, size: 5000 }] }),
    });
    const batchBody = (await batch.json()) as { transfer: string; objects: Array<{ actions?: { upload?: { href: string } } }> };
    expect(batchBody.transfer).toBe('basic');
    // The object is already known (the seed repo holds the same bytes), so no upload action is needed.
    expect(batchBody.objects[0]?.actions).toBeUndefined();

    const other = new Uint8Array(3000).fill(9);
    const otherSha = createHash('sha256').update(other).digest('hex');
    const batch2 = await fetch(`${h.url}/me/out.git/info/lfs/objects/batch`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ operation: 'upload', objects: [{ oid: otherSha, size: 3000 }] }),
    });
    const href = ((await batch2.json()) as { objects: Array<{ actions: { upload: { href: string } } }> }).objects[0]?.actions.upload.href as string;
    expect((await fetch(href, { method: 'PUT', body: other.subarray(1) })).status).toBe(400);
    expect((await fetch(href, { method: 'PUT', body: other })).status).toBe(200);

    const ndjson = [
      { key: 'header', value: { summary: 'Upload', description: '' } },
      { key: 'file', value: { path: 'README.md', content: Buffer.from('hi\n').toString('base64'), encoding: 'base64' } },
      { key: 'lfsFile', value: { path: 'big/w.safetensors', algo: 'sha256', oid: otherSha, size: 3000 } },
    ].map((line) => JSON.stringify(line)).join('\n');
    const commit = await fetch(`${h.url}/api/models/me/out/commit/main`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/x-ndjson' }, body: ndjson });
    const result = (await commit.json()) as { commitOid: string };
    expect(result.commitOid).toBe(h.branchHead('model', 'me/out'));
    expect(h.getFile('model', 'me/out', 'big/w.safetensors')).toEqual(other);
    expect(h.isLfs('model', 'me/out', 'big/w.safetensors')).toBe(true);
    expect(new TextDecoder().decode(h.getFile('model', 'me/out', 'README.md'))).toBe('hi\n');
    expect(h.commits('model', 'me/out').map((c) => c.title)).toEqual(['initial commit', 'Upload']);

    const served = await fetch(`${h.url}/me/out/resolve/main/big/w.safetensors`, { headers: auth });
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(other);

    const missing = JSON.stringify({ key: 'lfsFile', value: { path: 'x.bin', algo: 'sha256', oid: 'f'.repeat(64), size: 1 } });
    const refused = await fetch(`${h.url}/api/models/me/out/commit/main`, { method: 'POST', headers: auth, body: `${JSON.stringify({ key: 'header', value: { summary: 's' } })}\n${missing}` });
    expect(refused.status).toBe(422);
  });
});

describe('startLocalHub: fault injection', () => {
  it('fails once with a status, then answers normally', async () => {
    const h = await started();
    h.failNext({ path: '/revision/', status: 500 });
    expect((await fetch(`${h.url}/api/models/org/tiny/revision/main`)).status).toBe(500);
    expect((await fetch(`${h.url}/api/models/org/tiny/revision/main`)).status).toBe(200);
  });

  it('drops the connection after N body bytes', async () => {
    const h = await started();
    h.failNext({ method: 'GET', path: 'w.safetensors', dropAfterBytes: 1234 });
    const response = await fetch(`${h.url}/org/tiny/resolve/main/unet/w.safetensors`);
    expect(response.headers.get('content-length')).toBe('5000');
    let received = 0;
    const read = async () => {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) received += chunk.byteLength;
    };
    await expect(read()).rejects.toThrow();
    expect(received).toBe(1234);
  });

  it('resets connections and delays responses', async () => {
    const h = await started();
    h.failNext({ path: 'model_index.json', resetConnection: true });
    await expect(fetch(`${h.url}/org/tiny/resolve/main/model_index.json`)).rejects.toThrow();
    h.failNext({ path: 'model_index.json', delayMs: 150 });
    const started2 = performance.now();
    expect((await fetch(`${h.url}/org/tiny/resolve/main/model_index.json`)).status).toBe(200);
    expect(performance.now() - started2).toBeGreaterThanOrEqual(140);
  });
});
