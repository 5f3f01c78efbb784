import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const RUN_FOLDER = /^(offline-)?run-\d{8}_\d{6}-[^/]+$/;

/**
 * The run folders `path` names: itself when it holds a manifest.json; else its `run-*` / `offline-run-*` children
 * with one (a `wandb/` folder), oldest first; else those of its `wandb/` child (an outputDir). `latest-run` links are
 * not followed, so no run is listed twice.
 */
export async function findRunFolders(path: string): Promise<string[]> {
  const dir = resolve(path);
  if (existsSync(join(dir, 'manifest.json'))) return [dir];
  const inside = await runChildren(dir);
  if (inside.length > 0) return inside;
  return runChildren(join(dir, 'wandb'));
}

async function runChildren(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory() && RUN_FOLDER.test(entry.name) && existsSync(join(dir, entry.name, 'manifest.json')))
    // why: sorted by the time in the name (YYYYMMDD_HHMMSS), whatever the prefix.
    .map((entry) => ({ path: join(dir, entry.name), time: entry.name.replace(/^(offline-)?run-/, '') }))
    .sort((a, b) => a.time.localeCompare(b.time))
    .map((entry) => entry.path);
}
