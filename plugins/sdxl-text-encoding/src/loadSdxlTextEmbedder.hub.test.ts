import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdxlModelSources } from '@sdxl-trainer/sdxl';
import { setTestBackend } from '@sdxl-trainer/tensor';
import { sdxlTinyFixture, startLocalHub, type LocalHub } from '@sdxl-trainer/testing';
import { loadSdxlTextEmbedder } from './loadSdxlTextEmbedder.js';

const REPO = 'org/tiny-sdxl';
let hub: LocalHub;
let cacheDir: string;

/** The fixture's files of `folder`, keyed by repo path. */
async function filesOf(folder: string): Promise<Record<string, Uint8Array>> {
  const names = await readdir(sdxlTinyFixture(folder));
  return Object.fromEntries(await Promise.all(names.map(async (name) => [`${folder}/${name}`, await readFile(sdxlTinyFixture(folder, name))] as const)));
}

beforeAll(async () => {
  await setTestBackend();
  cacheDir = await mkdtemp(join(tmpdir(), 'sdxl-text-encoding-hub-'));
  const files = {
    'model_index.json': await readFile(sdxlTinyFixture('model_index.json')),
    ...(await filesOf('tokenizer')),
    ...(await filesOf('tokenizer_2')),
    ...(await filesOf('text_encoder')),
    ...(await filesOf('text_encoder_2')),
    ...(await filesOf('unet')),
  };
  hub = await startLocalHub({ repos: [{ type: 'model', id: REPO, files }] });
});

afterAll(async () => {
  await hub.close();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('loadSdxlTextEmbedder from a Hub id', () => {
  it('fetches only the tokenizers and text encoders into the cache, names the commit in its id, and encodes as from a folder', async () => {
    const fromHub = await loadSdxlTextEmbedder(sdxlModelSources(REPO), { hub: { endpoint: hub.url, cacheDir } });
    const id = JSON.parse(fromHub.id) as Record<string, { repo?: string; commit?: string; subfolder: string }>;
    const commit = hub.branchHead('model', REPO);
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    for (const name of ['tokenizer', 'tokenizer_2', 'text_encoder', 'text_encoder_2']) expect(id[name]).toMatchObject({ repo: REPO, commit, subfolder: name });
    const fetched = hub.requests.filter((r) => r.path.includes('/resolve/')).map((r) => r.path);
    expect(fetched.some((p) => p.includes('text_encoder_2/model.safetensors'))).toBe(true);
    expect(fetched.some((p) => p.includes('unet/'))).toBe(false);

    const fromFolder = await loadSdxlTextEmbedder(sdxlModelSources(sdxlTinyFixture()));
    const prompts = ['a red circle', ''];
    const [a, b] = [await fromHub.encode(prompts), await fromFolder.encode(prompts)];
    expect(a.promptEmbeds.map((t) => Array.from(t.data))).toEqual(b.promptEmbeds.map((t) => Array.from(t.data)));
    expect(a.pooled.map((t) => Array.from(t.data))).toEqual(b.pooled.map((t) => Array.from(t.data)));
    fromHub.dispose();
    fromFolder.dispose();
  });
});
