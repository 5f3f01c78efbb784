import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { RepoFileInfo } from './RepoFileInfo.js';

/**
 * The files present in a cached snapshot folder (for offline use when no `trees/<commit>.json` exists), or
 * undefined when the folder is missing. Sizes come from disk; the blob id is the name of the blob a link points to.
 */
export async function listSnapshotFolder(folder: string): Promise<RepoFileInfo[] | undefined> {
  try {
    if (!(await stat(folder)).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const files: RepoFileInfo[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const path = prefix + entry.name;
      const info = await stat(full).catch(() => undefined);
      if (info === undefined) continue; // why: a dangling link is not a usable file.
      if (info.isDirectory()) await walk(full, `${path}/`);
      else {
        const link = (await lstat(full)).isSymbolicLink() ? basename(await readlink(full)) : '';
        files.push({ path, size: info.size, blobId: link });
      }
    }
  };
  await walk(folder, '');
  return files;
}
