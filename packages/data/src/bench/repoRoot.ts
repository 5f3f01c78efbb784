import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root: the nearest folder above `from` whose package.json declares workspaces. */
export function repoRoot(from: string | URL): string {
  let dir = path.dirname(from instanceof URL || from.startsWith('file:') ? fileURLToPath(from) : from);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown }).workspaces !== undefined) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json with "workspaces" above ${String(from)}`);
    dir = parent;
  }
}
