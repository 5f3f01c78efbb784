import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { startLocalWandb, type LocalWandb } from '@sdxl-trainer/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { findRunFolders } from './findRunFolders.js';
import { MANIFEST_FORMAT, RunFolder, type RunManifest } from './RunFolder.js';
import { syncOfflineRun } from './syncOfflineRun.js';
import { removeTempDirs, tempDir } from './testing/toyWandbRun.js';

let server: LocalWandb | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  removeTempDirs();
});

const manifest = (id: string, startTime: number, mode: 'online' | 'offline'): RunManifest => ({ format: MANIFEST_FORMAT, version: 1, id, idGiven: false, project: 'p', tags: [], mode, startTime });

describe('findRunFolders', () => {
  it('finds a run folder itself, the runs of a wandb/ folder (oldest first), or of <outputDir>/wandb, not following latest-run', async () => {
    const outputDir = tempDir();
    const wandbDir = path.join(outputDir, 'wandb');
    const second = await RunFolder.create(wandbDir, manifest('bbbbbbbb', 1_700_000_500, 'online'), {});
    const first = await RunFolder.create(wandbDir, manifest('aaaaaaaa', 1_700_000_000, 'offline'), {});
    mkdirSync(path.join(wandbDir, 'run-20240101_000000-nomanifest'));
    symlinkSync(second.dir, path.join(wandbDir, 'run-29991231_235959-link'));
    expect(await findRunFolders(first.dir)).toEqual([first.dir]);
    expect(await findRunFolders(wandbDir)).toEqual([first.dir, second.dir]);
    expect(await findRunFolders(outputDir)).toEqual([first.dir, second.dir]);
    expect(await findRunFolders(path.join(wandbDir, 'latest-run'))).toEqual([path.join(wandbDir, 'latest-run')]);
    expect(await findRunFolders(tempDir())).toEqual([]);
  });
});

describe('syncOfflineRun', () => {
  it('needs an API key: WANDB_API_KEY, else the netrc entry of the server', async () => {
    server = await startLocalWandb();
    const folder = await RunFolder.create(path.join(tempDir(), 'wandb'), manifest('cccccccc', 1_700_000_000, 'offline'), {});
    const env = { HOME: tempDir() };
    await expect(syncOfflineRun(folder.dir, { baseUrl: server.url, env })).rejects.toMatchObject({ code: 'WANDB_AUTH_FAILED', message: expect.stringContaining(`no W&B API key to sync ${folder.dir}`) });
    const synced = await syncOfflineRun(folder.dir, { env: { ...env, WANDB_API_KEY: server.apiKey, WANDB_BASE_URL: server.url, WANDB_ENTITY: 'team' } });
    expect(synced.path).toEqual({ entity: 'team', project: 'p', run: 'cccccccc' });
    expect(synced.url).toBe(`${server.url}/team/p/runs/cccccccc`);
  });

  it('reports a refused key and an unreachable server with their codes, and a folder that is no run', async () => {
    server = await startLocalWandb();
    const folder = await RunFolder.create(path.join(tempDir(), 'wandb'), manifest('dddddddd', 1_700_000_000, 'offline'), {});
    await expect(syncOfflineRun(folder.dir, { apiKey: 'wrong', baseUrl: server.url })).rejects.toMatchObject({ code: 'WANDB_AUTH_FAILED' });
    const url = server.url;
    await server.close();
    const retry = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 };
    await expect(syncOfflineRun(folder.dir, { apiKey: 'k', baseUrl: url, retry })).rejects.toMatchObject({ code: 'WANDB_NETWORK_ERROR' });
    await expect(syncOfflineRun(tempDir(), { apiKey: 'k', baseUrl: url })).rejects.toMatchObject({ code: 'WANDB_RUN_DIR_INVALID' });
  });
});
