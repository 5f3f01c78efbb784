import { mkdirSync, mkdtempSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyTargetDir, existingEntries } from './targetDir.js';

// every temporary folder a test makes, removed when the file is done
const made: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('target folder', () => {
  it('a missing folder is empty; .git does not count, and emptying keeps it', async () => {
    const dir = tempDir('dir-');
    expect(await existingEntries(join(dir, 'missing'))).toEqual([]);
    mkdirSync(join(dir, '.git'));
    expect(await existingEntries(dir)).toEqual([]);
    writeFileSync(join(dir, 'b.txt'), '');
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'inner.txt'), '');
    expect(await existingEntries(dir)).toEqual(['a', 'b.txt']);
    await emptyTargetDir(dir);
    expect(readdirSync(dir)).toEqual(['.git']);
  });

  it('emptying a folder that does not exist makes it', async () => {
    const dir = join(tempDir('dir-'), 'new', 'deeper');
    await emptyTargetDir(dir);
    expect(readdirSync(dir)).toEqual([]);
  });
});
