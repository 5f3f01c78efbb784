import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkpointsToRemove, listCheckpoints } from './checkpointFolders.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ckpt-folders-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('listCheckpoints', () => {
  it('lists checkpoint-<int> folders by step (numerically), ignoring everything else', async () => {
    for (const name of ['checkpoint-10', 'checkpoint-9', 'checkpoint-100', 'checkpoint-3.tmp-abc123', 'checkpoint-x', 'checkpoints', 'logs']) await mkdir(join(dir, name));
    await writeFile(join(dir, 'checkpoint-7'), 'a file, not a folder');
    expect(await listCheckpoints(dir)).toEqual([
      { name: 'checkpoint-9', step: 9 },
      { name: 'checkpoint-10', step: 10 },
      { name: 'checkpoint-100', step: 100 },
    ]);
  });

  it('is empty for a folder that does not exist', async () => {
    expect(await listCheckpoints(join(dir, 'missing'))).toEqual([]);
  });
});

describe('checkpointsToRemove (the script: if len >= limit, remove the oldest len - limit + 1 before saving)', () => {
  const existing = [1, 2, 3, 4].map((step) => ({ name: `checkpoint-${step}`, step }));
  it('removes nothing without a limit or below it', () => {
    expect(checkpointsToRemove(existing, undefined)).toEqual([]);
    expect(checkpointsToRemove(existing, 5)).toEqual([]);
  });
  it('makes room for the new one', () => {
    // 4 exist, limit 4: remove 4 - 4 + 1 = 1; limit 2: remove 3; limit 1: remove all 4
    expect(checkpointsToRemove(existing, 4).map((c) => c.step)).toEqual([1]);
    expect(checkpointsToRemove(existing, 2).map((c) => c.step)).toEqual([1, 2, 3]);
    expect(checkpointsToRemove(existing, 1).map((c) => c.step)).toEqual([1, 2, 3, 4]);
  });
});
