import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startLocalHub, type LocalHub } from '@sdxl-trainer/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hfParquet, type FixtureRow } from '../testing/parquet.js';
import { removeTempDirs, tempDir } from '../testing/tempDirs.js';
import type { HubAccess } from './locateDataset.js';
import { openImageSource } from './openImageSource.js';

afterAll(removeTempDirs);

let hub: LocalHub;
let cacheDir: string;
beforeEach(async () => {
  hub = await startLocalHub();
  cacheDir = await tempDir();
});
afterEach(() => hub.close());

const access = (more: HubAccess = {}): HubAccess => ({ endpoint: hub.url, cacheDir, env: { HF_TOKEN_PATH: join(cacheDir, 'no-token') }, ...more });
const rows = (n: number, tag: string): FixtureRow[] =>
  Array.from({ length: n }, (_, i) => ({ image: Uint8Array.from([0xff, 0xd8, i]), path: `${tag}${i}.jpg`, text: `${tag} ${i}` }));

const NARUTO_CARD = ['---', 'dataset_info:', '  features:', '  - name: image', '    dtype: image', '  - name: text', '    dtype: string', '---', '# naruto'].join('\n');

describe('Hub datasets (parquet, through the local Hub)', () => {
  it('downloads only the train shards into the HF cache, then works offline from it', async () => {
    hub.addRepo('dataset', 'lambdalabs/naruto-blip-captions', {
      'README.md': NARUTO_CARD,
      'data/train-00000-of-00002-a1.parquet': hfParquet(rows(3, 'first')),
      'data/train-00001-of-00002-b2.parquet': hfParquet(rows(2, 'second')),
      'data/test-00000-of-00001-c3.parquet': hfParquet(rows(2, 'test')),
    });
    const online = await openImageSource({ datasetName: 'lambdalabs/naruto-blip-captions', hub: access() });
    expect(online.size).toBe(5);
    expect(online.caption(4)).toBe('second 1');
    expect(online.description).toMatch(/^lambdalabs\/naruto-blip-captions@[0-9a-f]{10} \[default\]$/);
    const downloads = hub.requests.filter((r) => r.method === 'GET' && r.path.includes('/resolve/')).map((r) => r.path.split('/').pop());
    expect(downloads).toEqual(expect.arrayContaining(['train-00000-of-00002-a1.parquet', 'train-00001-of-00002-b2.parquet']));
    expect(downloads.some((p) => p?.startsWith('test-'))).toBe(false);
    const snapshot = join(cacheDir, 'datasets--lambdalabs--naruto-blip-captions', 'snapshots');
    expect(existsSync(snapshot)).toBe(true);

    await hub.close();
    const offline = await openImageSource({ datasetName: 'lambdalabs/naruto-blip-captions', cacheDir, hub: { offline: true } });
    expect(offline.size).toBe(5);
    expect([...(await offline.read(2)).image]).toEqual([0xff, 0xd8, 2]);
    hub = await startLocalHub(); // afterEach closes it
  });

  it('picks the config named by --dataset_config_name from the card', async () => {
    const card = ['---', 'configs:', '- config_name: faces', '  data_files:', '  - split: train', '    path: faces/train-*', '- config_name: scenes', '  default: true', '  data_files:', '  - split: train', '    path: scenes/train-*', '---'].join('\n');
    hub.addRepo('dataset', 'org/multi', {
      'README.md': card,
      'faces/train-00000-of-00001.parquet': hfParquet(rows(2, 'face')),
      'scenes/train-00000-of-00001.parquet': hfParquet(rows(3, 'scene')),
    });
    const faces = await openImageSource({ datasetName: 'org/multi', datasetConfigName: 'faces', hub: access() });
    expect([faces.size, faces.caption(0)]).toEqual([2, 'face 0']);
    const byDefault = await openImageSource({ datasetName: 'org/multi', hub: access() });
    expect([byDefault.size, byDefault.caption(0)]).toEqual([3, 'scene 0']);
    await expect(openImageSource({ datasetName: 'org/multi', datasetConfigName: 'cats', hub: access() })).rejects.toMatchObject({ code: 'DATA_CONFIG_NOT_FOUND' });
  });

  it('applies --max_train_samples as a seeded shuffle then cut', async () => {
    hub.addRepo('dataset', 'org/ds', { 'data/train-00000-of-00001.parquet': hfParquet(rows(20, 'r')) });
    const a = await openImageSource({ datasetName: 'org/ds', hub: access(), maxTrainSamples: 5, seed: 1 });
    const b = await openImageSource({ datasetName: 'org/ds', hub: access(), maxTrainSamples: 5, seed: 1 });
    const c = await openImageSource({ datasetName: 'org/ds', hub: access(), maxTrainSamples: 5, seed: 2 });
    const captions = (s: typeof a) => Array.from({ length: s.size }, (_, i) => s.caption(i));
    expect(a.size).toBe(5);
    expect(captions(a)).toEqual(captions(b));
    expect(captions(a)).not.toEqual(captions(c));
    expect(new Set(captions(a)).size).toBe(5);
    expect(captions(a)).not.toEqual(['r 0', 'r 1', 'r 2', 'r 3', 'r 4']);
  });

  it('reads an imagefolder repo (images + metadata.jsonl) too', async () => {
    hub.addRepo('dataset', 'org/folder', {
      'train/metadata.jsonl': '{"file_name": "a.png", "text": "first"}\n{"file_name": "b.png", "text": "second"}\n',
      'train/a.png': Uint8Array.from([0x89, 0x50, 1]),
      'train/b.png': Uint8Array.from([0x89, 0x50, 2]),
    });
    const source = await openImageSource({ datasetName: 'org/folder', hub: access() });
    expect(source.size).toBe(2);
    expect((await source.read(1)).caption).toBe('second');
    expect([...(await source.read(1)).image]).toEqual([0x89, 0x50, 2]);
  });
});

describe('a local dataset folder as --dataset_name', () => {
  it('uses the same layout rules as a Hub repo, without any network', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'data'), { recursive: true });
    await writeFile(join(dir, 'data', 'train-00000-of-00001.parquet'), hfParquet(rows(3, 'local')));
    await writeFile(join(dir, 'data', 'validation-00000-of-00001.parquet'), hfParquet(rows(1, 'val')));
    const source = await openImageSource({ datasetName: dir, hub: { endpoint: 'http://127.0.0.1:9', offline: true } });
    expect([source.size, source.caption(2)]).toEqual([3, 'local 2']);
  });
});
