import path from 'node:path';
import { startLocalWandb, type LocalWandb } from '@sdxl-trainer/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { RetryPolicy } from './retry.js';
import { MANIFEST_FORMAT, RunFolder, type RunManifest } from './RunFolder.js';
import { RunUploader } from './RunUploader.js';
import { removeTempDirs, tempDir } from './testing/toyWandbRun.js';
import { WandbClient } from './WandbClient.js';

let server: LocalWandb | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  removeTempDirs();
});

const instant: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 100, random: () => 0 };

async function folderWith(rows: number, manifest: Partial<RunManifest> = {}): Promise<RunFolder> {
  const folder = await RunFolder.create(path.join(tempDir(), 'wandb'), {
    format: MANIFEST_FORMAT, version: 1, id: 'run00001', idGiven: false, project: 'p', tags: [], mode: 'offline', startTime: 1_700_000_000, ...manifest,
  }, {});
  for (let step = 1; step <= rows; step++) await folder.appendHistory(JSON.stringify({ loss: 1 / step, _step: step }));
  await folder.writeSummary(JSON.stringify({ loss: 1 / rows, _step: rows }));
  await folder.markEnded(0, 1_700_000_100);
  return folder;
}

describe('RunUploader', () => {
  it('sends history in bounded chunks at consecutive offsets, the summary and complete on the last one', async () => {
    server = await startLocalWandb();
    const folder = await folderWith(5);
    const uploader = new RunUploader(folder, new WandbClient({ baseUrl: server.url, apiKey: server.apiKey, retry: instant }), { maxBytes: 1e6, maxLines: 2 });
    const report = await uploader.upload({ complete: true });
    expect(report).toMatchObject({ historyRowsSent: 5, summarySent: true, completed: true, upToDate: true });
    expect(server.requests.map((r) => r.operation)).toEqual(['Viewer', 'UpsertBucket', 'file_stream', 'file_stream', 'file_stream']);
    const remote = server.run('run00001')!;
    expect(remote.history.map((row) => row['_step'])).toEqual([1, 2, 3, 4, 5]);
    expect([remote.summary, remote.complete, remote.fileStreamRequests, remote.rewrittenLines]).toEqual([{ loss: 0.2, _step: 5 }, true, 3, 0]);
  });

  it('resends lines whose acknowledgement was lost at the same offsets, so the server holds each once', async () => {
    server = await startLocalWandb();
    const folder = await folderWith(3);
    // why: the server applies the request but answers after the client gave up: a lost acknowledgement.
    server.failNext({ operation: 'file_stream', delayMs: 600 });
    const client = new WandbClient({ baseUrl: server.url, apiKey: server.apiKey, retry: instant, requestTimeoutMs: 200 });
    await new RunUploader(folder, client).upload({ complete: true });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const remote = server.run('run00001')!;
    expect(remote.history.map((row) => row['_step'])).toEqual([1, 2, 3]);
    expect(remote.rewrittenLines).toBe(3);
  });

  it('appends after the history of a run that exists (resume), and checks WANDB_RESUME must / never first', async () => {
    server = await startLocalWandb();
    const client = new WandbClient({ baseUrl: server.url, apiKey: server.apiKey, retry: instant });
    const must = await folderWith(1, { id: 'resumed1', idGiven: true, resume: 'must' });
    await expect(new RunUploader(must, client).upload({ complete: false })).rejects.toThrow('W&B run local-user/p/resumed1 does not exist (WANDB_RESUME=must)');
    expect(server.runs).toEqual([]);

    await new RunUploader(await folderWith(3, { id: 'resumed1', idGiven: true }), client).upload({ complete: false });
    const second = await folderWith(2, { id: 'resumed1', idGiven: true, resume: 'must' });
    await new RunUploader(second, client).upload({ complete: true });
    const remote = server.run('resumed1')!;
    expect(remote.historyLines).toHaveLength(5);
    expect(remote.history.map((row) => row['_step'])).toEqual([1, 2, 3, 1, 2]);
    expect(second.progress(server.url)).toMatchObject({ historyBase: 3, historyAcked: 2, completed: true });
    expect(remote.rewrittenLines).toBe(0);

    const never = await folderWith(1, { id: 'resumed1', idGiven: true, resume: 'never' });
    await expect(new RunUploader(never, client).upload({ complete: false })).rejects.toThrow('exists already (WANDB_RESUME=never)');
  });

  it('uploads media once, with the upload headers', async () => {
    server = await startLocalWandb();
    const folder = await folderWith(1);
    await folder.writeMedia('media/images/a_1_x.png', new Uint8Array([1]));
    await folder.writeMedia('media/images/b_1_y.png', new Uint8Array([2]));
    const client = new WandbClient({ baseUrl: server.url, apiKey: server.apiKey, retry: instant });
    server.failNext({ operation: 'upload', status: 500 });
    expect((await new RunUploader(folder, client).upload({ complete: true })).filesUploaded).toBe(2);
    expect((await new RunUploader(folder, client).upload({ complete: true })).filesUploaded).toBe(0);
    expect([...server.run('run00001')!.files]).toEqual([['media/images/a_1_x.png', new Uint8Array([1])], ['media/images/b_1_y.png', new Uint8Array([2])]]);
    expect(server.requests.filter((r) => r.operation === 'upload').map((r) => r.status)).toEqual([500, 200, 200]);
  });
});
