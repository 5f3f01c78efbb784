import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/** A local sdxl-trainer checkout that `--link` points a new project at. */
export interface LinkedWorkspace {
  /** Absolute path of the repository root. */
  readonly repo: string;
  /** Every workspace package: name → absolute folder. */
  readonly packages: ReadonlyMap<string, string>;
  /** What the workspace packages depend on from elsewhere (dependencies and peers, e.g. @tensorflow/tfjs-core, zod). */
  readonly shared: ReadonlySet<string>;
}

/** Read an npm-workspaces repository: its root package.json `workspaces` (`folder/*` or `folder` patterns) and each package's manifest. */
export async function readWorkspace(repo: string): Promise<LinkedWorkspace> {
  const root = resolve(repo);
  const manifest = await readJson(join(root, 'package.json'));
  const patterns = Array.isArray(manifest?.['workspaces']) ? (manifest['workspaces'] as unknown[]).filter((p): p is string => typeof p === 'string') : [];
  if (patterns.length === 0) {
    const why = manifest === undefined ? `there is no ${join(root, 'package.json')}` : `${join(root, 'package.json')} has no "workspaces" list`;
    throw new SdxlError(ErrorCode.SCAFFOLD_LINK_INVALID, `--link ${repo}: ${why}; expected the root of a checkout of sdxl-trainer`, { details: { repo: root } });
  }
  const packages = new Map<string, string>();
  const shared = new Set<string>();
  for (const pattern of patterns) {
    for (const folder of await expand(root, pattern)) {
      const pkg = await readJson(join(folder, 'package.json'));
      if (typeof pkg?.['name'] !== 'string') continue;
      packages.set(pkg['name'], folder);
      for (const field of ['dependencies', 'peerDependencies']) for (const name of Object.keys(asRecord(pkg[field]))) shared.add(name);
    }
  }
  for (const name of packages.keys()) shared.delete(name);
  return { repo: root, packages, shared };
}

async function expand(root: string, pattern: string): Promise<string[]> {
  if (!pattern.endsWith('/*')) return [join(root, pattern)];
  const parent = join(root, pattern.slice(0, -2));
  if (!existsSync(parent)) return [];
  return (await readdir(parent, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => join(parent, entry.name));
}

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SdxlError(ErrorCode.SCAFFOLD_LINK_INVALID, `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, { details: { file }, cause: error });
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}
