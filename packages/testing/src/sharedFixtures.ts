import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository's sibling `shared/fixtures/sdxl-tiny` folder (PyTorch reference outputs and the tiny SDXL
 * pipeline), or a path inside it. Throws — never skips — when it is missing: parity tests must fail loudly.
 */
export function sdxlTinyFixture(...segments: string[]): string {
  // why: the same depth from src/ (vitest) and dist/ (built): packages/testing/<src|dist>/ → repo → its parent.
  const root = fileURLToPath(new URL('../../../../shared/fixtures/sdxl-tiny', import.meta.url));
  const path = join(root, ...segments);
  if (!existsSync(path)) {
    throw new Error(`PyTorch reference fixture missing: ${path}. The parity tests need ../shared/fixtures/sdxl-tiny beside the repository.`);
  }
  return path;
}

/**
 * The sdxl-tiny model folder as a Hub repository's files (for `startLocalHub`), keyed by repo path: every file
 * except the PyTorch references (`reference/`) and the README.
 */
export function sdxlTinyRepoFiles(): Record<string, Uint8Array> {
  const folder = sdxlTinyFixture();
  const files: Record<string, Uint8Array> = {};
  const walk = (dir: string): void => {
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
