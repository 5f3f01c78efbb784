import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isSdxlError } from '@sdxl-trainer/errors';
import { parseExtendedJson, startLocalWandb, type LocalWandb } from '@sdxl-trainer/testing';
import type { Trainer } from '@sdxl-trainer/core';
import { afterEach, describe, expect, it } from 'vitest';
import { syncOfflineRun } from './syncOfflineRun.js';
import { removeTempDirs, runFolderIn, toyWandbRun, wandbProblems, type ToyWandbRun } from './testing/toyWandbRun.js';
import wandb from './wandb.js';

let server: LocalWandb | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  removeTempDirs();
});

/** The W&B config the run must carry, written from the spec: every core option but `plugins`, as `{ value }`, and the seed in use. */
function expectedConfig(trainer: Trainer, extra: Record<string, unknown> = {}): Record<string, { value: unknown }> {
  const entries = Object.entries({ ...trainer.config, seed: trainer.state.seed, ...extra }).filter(([k, v]) => k !== 'plugins' && v !== undefined);
  return Object.fromEntries(entries.map(([k, v]) => [k, { value: v }]));
}

/** One row per step that logged metrics, with the values of that step. */
function expectRowsMatch(rows: ReadonlyArray<Record<string, unknown>>, run: ToyWandbRun): void {
  expect(run.metrics.length).toBeGreaterThan(0);
  expect(rows.map((row) => row['_step'])).toEqual(run.metrics.map((m) => m.step));
  rows.forEach((row, i) => {
    const event = run.metrics[i]!;
    for (const [key, value] of Object.entries(event.values)) expect(row[key]).toBe(value);
    expect(row['_timestamp']).toBe(event.time / 1000);
    expect(row['_runtime']).toBeGreaterThanOrEqual(0);
  });
  const runtimes = rows.map((row) => row['_runtime'] as number);
  expect(runtimes).toEqual([...runtimes].sort((a, b) => a - b));
}

const historyOnDisk = (dir: string) => readFileSync(path.join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((line) => parseExtendedJson(line) as Record<string, unknown>);

describe('wandb() online, against a local W&B server', () => {
  it('creates the run with its config and sends one history row per logged step, the summary and exit code 0', async () => {
    server = await startLocalWandb();
    const run = await toyWandbRun({
      maxTrainSteps: 7,
      loggingSteps: 2,
      wandb: { apiKey: server.apiKey, baseUrl: server.url, project: 'toy', name: 'first try', tags: ['toy', 'ci'], notes: 'a note', config: { dataset: 'toy-shapes' }, flushSeconds: 0.05 },
    });
    expect(server.runs).toHaveLength(1);
    const remote = server.runs[0]!;
    expect(remote).toMatchObject({ entity: 'local-user', project: 'toy', displayName: 'first try', tags: ['toy', 'ci'], notes: 'a note', complete: true, exitcode: 0, rewrittenLines: 0 });
    expect(remote.name).toMatch(/^[a-z0-9]{8}$/);
    expect(remote.config).toEqual(expectedConfig(run.trainer, { dataset: 'toy-shapes' }));
    expect(run.metrics.map((m) => m.step)).toEqual([2, 4, 6, 7]); // loggingSteps 2, and the last step
    expectRowsMatch(remote.history, run);
    const last = run.metrics.at(-1)!;
    expect(remote.summary).toMatchObject({ ...last.values, _step: 7, _timestamp: last.time / 1000 });
    expect(wandbProblems(run.logs)).toEqual([]);
    expect(run.logs.some((l) => l.level === 'info' && l.message.startsWith(`W&B run synced (4 history rows, 0 media files): ${server!.url}/local-user/toy/runs/${remote.name}`))).toBe(true);
    const authorization = `Basic ${Buffer.from(`api:${server.apiKey}`).toString('base64')}`;
    expect(server.requests.filter((r) => r.operation !== 'upload').every((r) => r.headers['authorization'] === authorization)).toBe(true);
    // The folder on disk holds the same rows and records what the server acknowledged.
    const folder = runFolderIn(run.outputDir);
    expect(path.basename(folder)).toMatch(new RegExp(`^run-\\d{8}_\\d{6}-${remote.name}$`));
    expect(historyOnDisk(folder)).toEqual(remote.history);
    const sync = JSON.parse(readFileSync(path.join(folder, 'sync.json'), 'utf8')) as Record<string, { historyAcked: number; completed: boolean }>;
    expect(sync[server.url]).toMatchObject({ historyAcked: 4, completed: true });
  });

  it('merges metrics logged by plugins at the same step into that step\'s row', async () => {
    server = await startLocalWandb();
    const run = await toyWandbRun({
      maxTrainSteps: 3,
      wandb: { apiKey: server.apiKey, baseUrl: server.url, flushSeconds: 0.05 },
      extraPlugins: [{ name: 'test:extra', apply: (t) => t.hooks.afterStep.tap('test:extra', ({ step }) => t.emit('metrics', { step, values: { 'extra/square': step * step } })) }],
    });
    const rows = server.runs[0]!.history;
    expect(rows.map((row) => [row['_step'], row['extra/square'], row['train/loss']])).toEqual(
      [1, 2, 3].map((step) => [step, step * step, run.metrics.find((m) => m.step === step && 'train/loss' in m.values)!.values['train/loss']]),
    );
  });

  it('marks a failed run finished with exit code 1, after sending what it logged', async () => {
    server = await startLocalWandb();
    const failing = { name: 'test:boom', apply: (t: Trainer) => t.hooks.afterStep.tap('test:boom', ({ step }) => { if (step === 3) throw new Error('boom'); }) };
    await expect(toyWandbRun({ wandb: { apiKey: server.apiKey, baseUrl: server.url, flushSeconds: 0.05 }, extraPlugins: [failing] })).rejects.toThrow('boom');
    const remote = server.runs[0]!;
    // Steps 1 and 2 logged their metrics; step 3 failed in afterStep, before its metrics were emitted.
    expect([remote.history.map((row) => row['_step']), remote.complete, remote.exitcode]).toEqual([[1, 2], true, 1]);
  });

  it('never fails the run on a refused API key: one clear log line, the same training, the rows kept on disk', async () => {
    server = await startLocalWandb({ apiKey: 'the-right-key-000000000000000000000000000' });
    const baseline = await toyWandbRun({ wandb: false });
    const run = await toyWandbRun({ wandb: { apiKey: 'a-wrong-key-0000000000000000000000000000', baseUrl: server.url, flushSeconds: 0.05 } });
    expect(run.losses).toEqual(baseline.losses);
    const problems = wandbProblems(run.logs);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('refused the API key (401 Unauthorized)');
    expect(problems[0]).toContain('sdxl-train wandb-sync');
    expect(server.runs).toEqual([]);
    expect(server.requests.map((r) => r.status)).toEqual([401]); // not retried
    expectRowsMatch(historyOnDisk(runFolderIn(run.outputDir)), run);
  });
});

describe('wandb() when the server is slow or away', () => {
  it('does not slow the training loop when every request takes 5 s, and everything still arrives', async () => {
    server = await startLocalWandb();
    const baseline = await toyWandbRun({ wandb: false, maxTrainSteps: 8 });
    server.setDelay(5000);
    const run = await toyWandbRun({ maxTrainSteps: 8, wandb: { apiKey: server.apiKey, baseUrl: server.url, entity: 'local-user', flushSeconds: 0.05, finishTimeoutSeconds: 40 } });
    // why: had the loop waited for one request it would have taken 5 s; the bound is generous for a loaded machine.
    expect(run.loopMs).toBeLessThan(Math.min(4000, baseline.loopMs * 3 + 1500));
    const remote = server.runs[0]!;
    expectRowsMatch(remote.history, run);
    expect([remote.complete, remote.exitcode, remote.rewrittenLines]).toEqual([true, 0, 0]);
  }, 60_000);

  it('finishes in normal time when the server refuses connections; the spool holds every row; a later sync delivers them once', async () => {
    server = await startLocalWandb();
    await server.refuse();
    const run = await toyWandbRun({ wandb: { apiKey: server.apiKey, baseUrl: server.url, flushSeconds: 0.05, finishTimeoutSeconds: 1 } });
    expect(run.totalMs).toBeLessThan(run.loopMs + 4000);
    const folder = runFolderIn(run.outputDir);
    expectRowsMatch(historyOnDisk(folder), run);
    const problems = wandbProblems(run.logs);
    expect(problems.at(-1)).toBe(`W&B: 6 of 6 history rows not delivered within 1 s; everything is kept in ${folder}: upload it with: sdxl-train wandb-sync ${folder}`);
    expect(problems.length).toBeLessThanOrEqual(2); // at most one "cannot reach" line before it

    await server.accept();
    const first = await syncOfflineRun(folder, { apiKey: server.apiKey, baseUrl: server.url });
    expect(first).toMatchObject({ historyRowsSent: 6, completed: true, alreadySynced: false, upToDate: true });
    const remote = server.runs[0]!;
    expectRowsMatch(remote.history, run);
    expect([remote.complete, remote.exitcode, remote.rewrittenLines]).toEqual([true, 0, 0]);
    const requestsAfterFirst = server.requests.length;
    const second = await syncOfflineRun(folder, { apiKey: server.apiKey, baseUrl: server.url });
    expect(second).toMatchObject({ historyRowsSent: 0, filesUploaded: 0, summarySent: false, completed: false, alreadySynced: true });
    expect(server.requests.length).toBe(requestsAfterFirst);
    expect(remote.history).toHaveLength(6);
  }, 60_000);

  it('sends the rows kept meanwhile when the server comes back during the run, each once', async () => {
    server = await startLocalWandb();
    await server.refuse();
    const live = server;
    const run = await toyWandbRun({
      maxTrainSteps: 8,
      wandb: { apiKey: server.apiKey, baseUrl: server.url, flushSeconds: 0.05, finishTimeoutSeconds: 30 },
      extraPlugins: [{ name: 'test:revive', apply: (t) => t.hooks.afterStep.tapPromise('test:revive', async ({ step }) => void (step === 4 && (await live.accept()))) }],
    });
    const remote = server.runs[0]!;
    expectRowsMatch(remote.history, run);
    expect([remote.complete, remote.rewrittenLines]).toEqual([true, 0]);
  }, 60_000);
});

describe('wandb() offline and disabled', () => {
  it('offline writes wandb/offline-run-<time>-<id>/ and touches no server; wandb-sync uploads it later', async () => {
    server = await startLocalWandb();
    const run = await toyWandbRun({ maxTrainSteps: 4, wandb: { mode: 'offline', apiKey: server.apiKey, baseUrl: server.url, id: 'offline1', config: { note: 'x' } } });
    expect(server.requests).toEqual([]);
    const folder = runFolderIn(run.outputDir);
    expect(path.basename(folder)).toMatch(/^offline-run-\d{8}_\d{6}-offline1$/);
    const manifest = JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ format: 'sdxl-trainer-wandb-run', id: 'offline1', idGiven: true, project: 'text2image-fine-tune-sdxl', mode: 'offline', exitCode: 0 });
    expect(JSON.parse(readFileSync(path.join(folder, 'config.json'), 'utf8'))).toEqual(expectedConfig(run.trainer, { note: 'x' }));
    expectRowsMatch(historyOnDisk(folder), run);
    expect(parseExtendedJson(readFileSync(path.join(folder, 'summary.json'), 'utf8'))).toMatchObject({ ...run.metrics.at(-1)!.values, _step: 4 });
    expect(run.logs.some((l) => l.message === `W&B offline run in ${folder}; upload it with: sdxl-train wandb-sync ${folder}`)).toBe(true);

    const synced = await syncOfflineRun(folder, { apiKey: server.apiKey, baseUrl: server.url });
    expect(synced.url).toBe(`${server.url}/local-user/text2image-fine-tune-sdxl/runs/offline1`);
    expect(server.run('offline1')).toMatchObject({ complete: true, exitcode: 0, config: expectedConfig(run.trainer, { note: 'x' }) });
    expectRowsMatch(server.run('offline1')!.history, run);
  });

  it('disabled does nothing: no folder, no request', async () => {
    server = await startLocalWandb();
    const run = await toyWandbRun({ maxTrainSteps: 2, wandb: { mode: 'disabled', apiKey: server.apiKey, baseUrl: server.url } });
    expect(() => runFolderIn(run.outputDir)).toThrow(/ENOENT/);
    expect(server.requests).toEqual([]);
  });
});

describe('wandb() options', () => {
  const errorOf = (fn: () => unknown): Error => {
    try {
      fn();
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected a throw');
  };

  it('refuses bad options with CONFIG_INVALID naming the option, its variable and what it accepts', () => {
    const mode = errorOf(() => wandb({ mode: 'sometimes' as 'online' }));
    expect(isSdxlError(mode) && mode.code).toBe('CONFIG_INVALID');
    expect(mode.message).toContain('wandb(): mode (WANDB_MODE): got "sometimes" (a string); expected "online", "offline" or "disabled"');
    expect(errorOf(() => wandb({ projct: 'x' } as never)).message).toContain('unknown option "projct"; did you mean "project"?');
    expect(errorOf(() => wandb({ id: 'a/b' })).message).toContain('id (WANDB_RUN_ID): got "a/b"');
    expect(errorOf(() => wandb({ flushSeconds: 0 })).message).toContain('flushSeconds: got 0; expected a positive number of seconds');
    expect(errorOf(() => wandb({ baseUrl: 'not a url' })).message).toContain('baseUrl (WANDB_BASE_URL)');
  });

  it('fails the run before training on a bad WANDB_* variable, naming it', async () => {
    await expect(toyWandbRun({ wandb: { env: { WANDB_MODE: 'sometimes' } } })).rejects.toThrow(/environment variable WANDB_MODE: got "sometimes"; expected "online", "offline" or "disabled"/);
  });
});
