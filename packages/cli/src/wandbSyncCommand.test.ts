import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MANIFEST_FORMAT, RunFolder } from '@sdxl-trainer/plugin-wandb';
import { startLocalWandb, type LocalWandb } from '@sdxl-trainer/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { wandbSyncCommand } from './wandbSyncCommand.js';

let server: LocalWandb | undefined;
const made: string[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An ended offline run of `steps` history rows in `<outputDir>/wandb/`, as the W&B plugin writes it. */
async function offlineRun(outputDir: string, id: string, steps: number): Promise<RunFolder> {
  const manifest = { format: MANIFEST_FORMAT, version: 1, id, idGiven: true, project: 'text2image-fine-tune-sdxl', tags: [], mode: 'offline', startTime: 1_700_000_000 } as const;
  const folder = await RunFolder.create(path.join(outputDir, 'wandb'), manifest, { seed: { value: 1 } });
  for (let step = 1; step <= steps; step++) await folder.appendHistory(JSON.stringify({ 'train/loss': 1 / step, _step: step }));
  await folder.writeSummary(JSON.stringify({ 'train/loss': 1 / steps, _step: steps }));
  await folder.markEnded(0, 1_700_000_010);
  return folder;
}

async function sync(argv: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await wandbSyncCommand(argv, { stdout: { write: (t) => void (stdout += t) }, stderr: { write: (t) => void (stderr += t) }, env });
  return { code, stdout, stderr };
}

describe('sdxl-train wandb-sync', () => {
  it('uploads an offline run from its output folder once; a second run sends nothing', async () => {
    server = await startLocalWandb();
    const outputDir = mkdtempSync(path.join(os.tmpdir(), 'sdxl-cli-wandb-'));
    made.push(outputDir);
    await offlineRun(outputDir, 'cli00001', 3);
    const env = { WANDB_API_KEY: server.apiKey, WANDB_BASE_URL: server.url, HOME: outputDir };
    const folder = path.join(outputDir, 'wandb', 'latest-run');

    const first = await sync([outputDir, '--project', 'synced'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`/wandb/offline-run-\\d{8}_\\d{6}-cli00001: sent 3 history rows, 0 media files, summary, finished → ${server.url}/local-user/synced/runs/cli00001\\n$`));
    const remote = server.run('cli00001')!;
    expect([remote.project, remote.history.map((row) => row['_step']), remote.complete, remote.exitcode, remote.config]).toEqual(['synced', [1, 2, 3], true, 0, { seed: { value: 1 } }]);

    const again = await sync([folder], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`${folder}: already synced → ${server.url}/local-user/synced/runs/cli00001\n`);
    expect(remote.fileStreamRequests).toBe(1);
  });

  it('exits 2 on a bad command line and 1 when a folder holds no run or the key is refused', async () => {
    server = await startLocalWandb();
    expect((await sync(['--help'], {})).stdout).toContain('Usage: sdxl-train wandb-sync <dir>...');
    expect((await sync([], {})).code).toBe(2);
    const unknown = await sync(['x', '--projekt', 'p'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--projekt'");
    const empty = mkdtempSync(path.join(os.tmpdir(), 'sdxl-cli-wandb-'));
    made.push(empty);
    const none = await sync([empty], {});
    expect([none.code, none.stderr]).toEqual([1, `sdxl-train wandb-sync: no W&B run folder in ${empty} (looked for manifest.json, run-*/ and offline-run-*/, and wandb/)\n`]);
    await offlineRun(empty, 'cli00002', 1);
    const refused = await sync([empty], { WANDB_API_KEY: 'wrong', WANDB_BASE_URL: server.url, HOME: empty });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error WANDB_AUTH_FAILED: W&B at');
  });
});
