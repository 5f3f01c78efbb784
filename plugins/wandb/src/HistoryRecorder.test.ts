import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseExtendedJson } from '@sdxl-trainer/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { stringifyExtendedJson } from './extendedJson.js';
import { HistoryRecorder } from './HistoryRecorder.js';
import { MANIFEST_FORMAT, RunFolder, type RunManifest } from './RunFolder.js';
import { removeTempDirs, tempDir } from './testing/toyWandbRun.js';

afterEach(removeTempDirs);

const manifest: RunManifest = { format: MANIFEST_FORMAT, version: 1, id: 'abc12345', idGiven: false, project: 'p', tags: [], mode: 'offline', startTime: 1_700_000_000 };

async function started(): Promise<{ folder: RunFolder; recorder: HistoryRecorder; warnings: string[] }> {
  const folder = await RunFolder.create(path.join(tempDir(), 'wandb'), manifest, { lr: { value: 0.1 } });
  const warnings: string[] = [];
  return { folder, recorder: new HistoryRecorder(folder, 1_700_000_000_000, (m) => warnings.push(m)), warnings };
}

const rows = (folder: RunFolder) => folder.historyLines.map((line) => parseExtendedJson(line) as Record<string, unknown>);

describe('HistoryRecorder', () => {
  it('merges what is logged at one step into one row, written when a later step arrives, with _step, _runtime, _timestamp', async () => {
    const { folder, recorder } = await started();
    await recorder.metrics(1, { 'train/loss': 0.5 }, 1_700_000_001_000);
    await recorder.metrics(1, { 'train/grad_norm': 2 }, 1_700_000_001_250);
    expect(folder.historyLines).toEqual([]); // step 1 may still get more data
    await recorder.metrics(3, { 'train/loss': 0.25 }, 1_700_000_004_000);
    expect(rows(folder)).toEqual([{ 'train/loss': 0.5, 'train/grad_norm': 2, _step: 1, _runtime: 1.25, _timestamp: 1_700_000_001.25 }]);
    await recorder.end(0, 1_700_000_005_000);
    expect(rows(folder)).toHaveLength(2);
    expect(rows(folder)[1]).toEqual({ 'train/loss': 0.25, _step: 3, _runtime: 4, _timestamp: 1_700_000_004 });
    // The summary holds the latest value of every key.
    expect(parseExtendedJson(folder.summaryText!)).toEqual({ 'train/loss': 0.25, 'train/grad_norm': 2, _step: 3, _runtime: 4, _timestamp: 1_700_000_004, _wandb: { runtime: 4 } });
    expect(folder.manifest).toMatchObject({ exitCode: 0, endTime: 1_700_000_005 });
  });

  it('drops data for a step already written, with one warning for all drops', async () => {
    const { folder, recorder, warnings } = await started();
    await recorder.metrics(2, { a: 1 }, 1_700_000_001_000);
    await recorder.metrics(3, { a: 2 }, 1_700_000_002_000);
    await recorder.metrics(2, { a: 3 }, 1_700_000_003_000);
    await recorder.metrics(1, { a: 4 }, 1_700_000_003_000);
    await recorder.flush();
    expect(rows(folder).map((row) => [row['_step'], row['a']])).toEqual([[2, 1], [3, 2]]);
    expect(warnings).toEqual(['W&B: dropped data logged at step 2, after step 3: W&B history steps must increase (further drops are not reported)']);
  });

  it('writes non-finite values as NaN / Infinity tokens, as wandb does', async () => {
    const { folder, recorder } = await started();
    await recorder.metrics(1, { nan: NaN, inf: Infinity, ninf: -Infinity }, 1_700_000_000_000);
    await recorder.flush();
    expect(folder.historyLines[0]).toBe('{"nan":NaN,"inf":Infinity,"ninf":-Infinity,"_step":1,"_runtime":0,"_timestamp":1700000000}');
  });
});

describe('RunFolder', () => {
  it('reopens what it wrote, without a torn last line, and keeps per-server progress', async () => {
    const { folder, recorder } = await started();
    await recorder.metrics(1, { a: 1 }, 1_700_000_001_000);
    await recorder.end(1, 1_700_000_002_000);
    await folder.writeMedia('media/images/x_1_abc.png', new Uint8Array([1, 2]));
    await folder.saveProgress('http://a', { entity: 'e', project: 'p', run: 'abc12345', historyBase: 0, historyAcked: 1, uploaded: [], completed: false });
    appendFileSync(path.join(folder.dir, 'history.jsonl'), '{"a":2,"_st'); // a crash mid-append
    const reopened = await RunFolder.open(folder.dir);
    expect(reopened.historyLines).toEqual(folder.historyLines);
    expect(reopened.summaryText).toBe(folder.summaryText);
    expect(reopened.mediaFiles).toEqual(['media/images/x_1_abc.png']);
    expect(reopened.manifest).toEqual({ ...manifest, exitCode: 1, endTime: 1_700_000_002 });
    expect(reopened.config).toEqual({ lr: { value: 0.1 } });
    expect(reopened.progress('http://a')).toMatchObject({ historyAcked: 1 });
    expect(reopened.progress('http://b')).toBeUndefined();
    expect(JSON.parse(readFileSync(path.join(folder.dir, 'config.json'), 'utf8'))).toEqual({ lr: { value: 0.1 } });
  });

  it('refuses a folder that is not a run folder, naming it', async () => {
    const dir = tempDir();
    await expect(RunFolder.open(dir)).rejects.toMatchObject({ code: 'WANDB_RUN_DIR_INVALID', message: `${dir} is not a W&B run folder of @sdxl-trainer/plugin-wandb: cannot read manifest.json` });
  });
});

describe('stringifyExtendedJson', () => {
  it('is JSON.stringify for finite values and leaves strings that look like tokens alone', () => {
    const value = { a: 1.5, b: 'NaN', c: ['Infinity', null, true], d: { e: -0.25 } };
    expect(stringifyExtendedJson(value)).toBe(JSON.stringify(value));
    expect(parseExtendedJson(stringifyExtendedJson({ x: [NaN, 'NaN', -Infinity] }))).toEqual({ x: [NaN, 'NaN', -Infinity] });
  });
});
