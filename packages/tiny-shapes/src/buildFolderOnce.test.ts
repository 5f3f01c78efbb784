import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFolderOnce, MANIFEST_FILE } from './buildFolderOnce.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tiny-shapes-once-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('buildFolderOnce', () => {
  it('builds once per manifest and leaves no temporary folder', async () => {
    const dir = join(root, 'x');
    let builds = 0;
    const build = async (tmp: string) => {
      builds += 1;
      await writeFile(join(tmp, 'a.txt'), 'a');
    };
    expect((await buildFolderOnce(dir, { v: 1 }, build)).created).toBe(true);
    expect((await buildFolderOnce(dir, { v: 1 }, build)).created).toBe(false);
    expect(builds).toBe(1);
    expect((await buildFolderOnce(dir, { v: 2 }, build)).created).toBe(true);
    expect(builds).toBe(2);
    expect(readdirSync(root)).toEqual(['x']);
    expect(JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8'))).toEqual({ v: 2 });
  });

  it('keeps the previous folder and removes the temporary one when a build fails', async () => {
    const dir = join(root, 'y');
    await buildFolderOnce(dir, { v: 1 }, async (tmp) => writeFile(join(tmp, 'old.txt'), 'old'));
    await expect(
      buildFolderOnce(dir, { v: 2 }, async (tmp) => {
        await writeFile(join(tmp, 'half.txt'), 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readdirSync(dir).sort()).toEqual(['old.txt', MANIFEST_FILE].sort());
    expect(readdirSync(root).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it("refuses a non-empty folder it did not make, and accepts an empty one", async () => {
    const foreign = join(root, 'z');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'mine.txt'), 'keep me');
    await expect(buildFolderOnce(foreign, { v: 1 }, async () => {})).rejects.toThrow(/was not made by tiny-shapes/);
    expect(readFileSync(join(foreign, 'mine.txt'), 'utf8')).toBe('keep me');
    const empty = join(root, 'e');
    mkdirSync(empty);
    expect((await buildFolderOnce(empty, { v: 1 }, async () => {})).created).toBe(true);
    expect(existsSync(join(empty, MANIFEST_FILE))).toBe(true);
  });
});
