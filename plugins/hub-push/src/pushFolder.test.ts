import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { LOCAL_HUB_TOKEN, sha256Hex, startLocalHub, type LocalHub } from '@sdxl-trainer/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pushFolder } from './pushFolder.js';
import { PIPELINE_FILES, readTree, removeTempDirs, RUN_LEFTOVERS, tempDir, UNET_WEIGHTS, VAE_WEIGHTS, writeTree } from './testing/fakeRunOutput.js';

let hub: LocalHub;
let folder: string;
beforeEach(async () => {
  hub = await startLocalHub();
  folder = await tempDir('hub-push-folder-');
  await writeTree(folder, { ...PIPELINE_FILES, ...RUN_LEFTOVERS, 'README.md': '# card\n' });
});
afterEach(async () => {
  await hub.close();
});
afterAll(removeTempDirs);

const auth = { token: LOCAL_HUB_TOKEN, endpoint: 'set-in-each-test', env: {} };
const opts = (more: Partial<Parameters<typeof pushFolder>[1]> = {}) => ({ ...auth, endpoint: hub.url, repoId: 'me/finetune', retryDelayMs: 0, ...more });

/** The repo's files at main as path → sha256 (without the .gitattributes the server adds when creating a repo). */
function repoTree(repoId: string): Map<string, string> {
  return new Map(hub.listFiles('model', repoId).filter((p) => p !== '.gitattributes').map((p) => [p, sha256Hex(hub.getFile('model', repoId, p)!)]));
}

/** Every local file as path → sha256. */
async function localTree(): Promise<Map<string, string>> {
  return new Map([...(await readTree(folder))].map(([p, content]) => [p, sha256Hex(content)]));
}

/** The local files a push must carry: everything but step_*, temporary files and checkpoint-* (unless kept). */
async function expectedTree(keepCheckpoints = false): Promise<Map<string, string>> {
  return new Map([...(await localTree())].filter(([p]) => !p.startsWith('step_') && !p.includes('.tmp') && (keepCheckpoints || !p.startsWith('checkpoint-'))));
}

const lastCommitTitle = (repoId: string) => hub.commits('model', repoId).at(-1)?.title;

/**
 * A fetch that holds the vae weights' PUT back until the unet weights' PUT has finished, so the fault below hits after
 * one object is complete. (@huggingface/hub uploads LFS objects in parallel and aborts the others when one fails.)
 */
const vaeAfterUnet: typeof fetch = async (input, init) => {
  if (init?.method === 'PUT' && String(input).includes(vaeOid)) {
    while (!hub.requests.some((r) => r.method === 'PUT' && r.path.includes(unetOid) && r.status === 200)) await sleep(5);
  }
  return fetch(input, init);
};

const puts = (oid: string) => hub.requests.filter((r) => r.method === 'PUT' && r.path.startsWith(`/__lfs-upload/${oid}`));
const unetOid = sha256Hex(UNET_WEIGHTS);
const vaeOid = sha256Hex(VAE_WEIGHTS);

async function rejection(promise: Promise<unknown>): Promise<SdxlError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SdxlError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('pushFolder', () => {
  it('commits the folder contents to the repo root in one commit, weights through LFS, leftovers left out', async () => {
    const result = await pushFolder(folder, opts());
    expect(result).toMatchObject({ repoId: 'me/finetune', url: `${hub.url}/me/finetune`, attempts: 1, commit: hub.branchHead('model', 'me/finetune') });
    expect(repoTree('me/finetune')).toEqual(await expectedTree());
    expect([...result.files].sort()).toEqual([...(await expectedTree()).keys()]);
    expect(hub.isLfs('model', 'me/finetune', 'unet/diffusion_pytorch_model.safetensors')).toBe(true);
    expect(hub.isLfs('model', 'me/finetune', 'unet/config.json')).toBe(false);
    // the repo's creation commit (.gitattributes), then ours
    expect(hub.commits('model', 'me/finetune').map((c) => c.title)).toEqual(['initial commit', 'End of training']);
  });

  it('uploads checkpoint-* folders with pushCheckpoints', async () => {
    await pushFolder(folder, opts({ pushCheckpoints: true }));
    expect(repoTree('me/finetune')).toEqual(await expectedTree(true));
    expect(hub.listFiles('model', 'me/finetune')).toContain('checkpoint-2/trainer_state.json');
  });

  it('puts a bare repo name under the token’s user (whoami)', async () => {
    const result = await pushFolder(folder, opts({ repoId: 'bare-name' }));
    expect(result.repoId).toBe('local-user/bare-name');
    expect(hub.listFiles('model', 'local-user/bare-name')).toContain('model_index.json');
  });

  it('resumes after the connection drops mid LFS upload: the retry sends only the missing object', async () => {
    // The unet weights reach the server; then the connection of the vae weights' PUT is reset.
    hub.failNext({ method: 'PUT', path: `/__lfs-upload/${vaeOid}`, resetConnection: true });
    const retries: number[] = [];
    const result = await pushFolder(folder, opts({ fetch: vaeAfterUnet, onRetry: (attempt) => retries.push(attempt) }));
    expect(retries).toEqual([1]);
    expect(result.attempts).toBe(2);
    expect(puts(unetOid).map((r) => r.status)).toEqual([200]); // sent once: the second batch said the Hub has it
    expect(puts(vaeOid).map((r) => r.status)).toEqual([0, 200]); // dropped, then sent again
    expect(repoTree('me/finetune')).toEqual(await expectedTree());
    expect(hub.commits('model', 'me/finetune')).toHaveLength(2);
  });

  it('fails after its retries with an error naming the repo and the call to push again, which then completes', async () => {
    hub.failNext({ method: 'PUT', path: `/__lfs-upload/${vaeOid}`, resetConnection: true, times: 2 });
    const local = await localTree();
    const error = await rejection(pushFolder(folder, opts({ retries: 1, fetch: vaeAfterUnet })));
    expect(error.code).toBe(ErrorCode.HUB_UPLOAD_FAILED);
    expect(error.message).toContain(`Pushing ${folder} to the Hub repo "me/finetune" failed after 2 attempts`);
    expect(error.message).toContain(`pushFolder(${JSON.stringify(folder)}, { repoId: "me/finetune" })`);
    expect(error.details).toMatchObject({ repo: 'me/finetune', attempts: 2, reason: ErrorCode.HUB_NETWORK_ERROR });
    expect(lastCommitTitle('me/finetune')).toBe('initial commit'); // no partial commit
    expect(puts(unetOid).map((r) => r.status)).toEqual([200]);
    expect(puts(vaeOid).map((r) => r.status)).toEqual([0, 0]);
    expect(await localTree()).toEqual(local); // the local output is untouched

    const before = hub.requests.length;
    const again = await pushFolder(folder, opts());
    expect(again.attempts).toBe(1);
    const secondPuts = hub.requests.slice(before).filter((r) => r.method === 'PUT').map((r) => r.path.split('?')[0]);
    expect(secondPuts).toEqual([`/__lfs-upload/${vaeOid}`]);
    expect(repoTree('me/finetune')).toEqual(await expectedTree());
  });

  it('does not retry what retrying cannot fix (a refused token)', async () => {
    const error = await rejection(pushFolder(folder, opts({ token: 'hf_wrong', retryDelayMs: 10_000 })));
    expect(error.code).toBe(ErrorCode.HUB_UPLOAD_FAILED);
    expect(error.details).toMatchObject({ attempts: 1, reason: ErrorCode.HUB_ACCESS_DENIED });
  });
});
