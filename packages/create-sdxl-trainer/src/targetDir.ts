import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** What is in a folder that the scaffolder would write to, ignoring `.git` (a fresh `git init` is fine). */
export async function existingEntries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name !== '.git').sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Make `dir` exist and hold nothing but `.git`: everything else in it is removed. */
export async function emptyTargetDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const name of await existingEntries(dir)) await rm(join(dir, name), { recursive: true, force: true });
}
