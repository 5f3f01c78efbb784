import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The file that marks a folder as built, holding what it was built from. */
export const MANIFEST_FILE = 'tiny-shapes.json';

/** What {@link buildFolderOnce} did. */
export interface BuiltFolder {
  /** The folder. */
  readonly dir: string;
  /** False when the folder was already there, built from the same manifest, and nothing was written. */
  readonly created: boolean;
}

/**
 * Builds a folder once: when `dir/tiny-shapes.json` already holds `manifest`, nothing happens. Otherwise `build`
 * fills a fresh temporary sibling folder, the manifest is written last, and the folder is renamed into place, so an
 * interrupted build never leaves a half folder that looks finished. A folder built from another manifest is
 * replaced; a non-empty folder without a manifest is someone else's and is refused.
 */
export async function buildFolderOnce(dir: string, manifest: Readonly<Record<string, unknown>>, build: (tmp: string) => Promise<void>): Promise<BuiltFolder> {
  const wanted = `${JSON.stringify(manifest, null, 2)}\n`;
  const marker = join(dir, MANIFEST_FILE);
  const existing = existsSync(marker) ? await readFile(marker, 'utf8') : undefined;
  if (existing === wanted) return { dir, created: false };
  if (existing === undefined && existsSync(dir) && (await readdir(dir)).length > 0) {
    throw new Error(`${dir} exists and was not made by tiny-shapes (no ${MANIFEST_FILE}); choose an empty or new folder`);
  }
  await mkdir(dirname(dir), { recursive: true });
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}-${Date.now()}`);
  try {
    await mkdir(tmp);
    await build(tmp);
    await writeFile(join(tmp, MANIFEST_FILE), wanted);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  return { dir, created: true };
}
