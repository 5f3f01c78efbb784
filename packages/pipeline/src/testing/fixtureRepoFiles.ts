// The fixture's model folder as a Hub repository's files (for the local Hub server), without the PyTorch references.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file of `folder` except reference/ and README.md, keyed by repo path. */
export function fixtureRepoFiles(folder: string): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const key = relative(folder, path);
      if (key === 'reference' || key === 'README.md') continue;
      if (entry.isDirectory()) walk(path);
      else files[key] = readFileSync(path);
    }
  };
  walk(folder);
  return files;
}
