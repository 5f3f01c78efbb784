import { randomBytes } from 'node:crypto';
import { copyFile, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temporary name beside `path`, ending in `.tmp` so a push never uploads it (see TEMPORARY_PATTERNS). */
function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `path` all-or-nothing: a temporary file beside it, fsynced, then renamed over it. */
export async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = temporaryPath(path);
  try {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Copies `source` to `target` all-or-nothing (a temporary copy beside `target`, then renamed). */
export async function copyFileAtomically(source: string, target: string): Promise<void> {
  const temporary = temporaryPath(target);
  try {
    await copyFile(source, temporary);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
