import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LinkedBuild, LinkedBuildManifest, TensorflowDevice } from './LinkedBuild.js';
import { linkedBuildsDir } from './linkedBuildsDir.js';

/** A build found in the cache, and why it cannot be used here (undefined when it can). */
export interface FoundBuild {
  readonly build: LinkedBuild;
  readonly problem: string | undefined;
}

/** The manifest file of every build folder. */
export const MANIFEST_FILE = 'build.json';

/** The cache folder name of a build: `<tf-version>-<cpu|gpu>-node-abi<NN>`. */
export function buildKey(tensorflowVersion: string, device: TensorflowDevice, nodeAbi: string = process.versions.modules): string {
  return `${tensorflowVersion}-${device}-node-abi${nodeAbi}`;
}

/** Reads one build folder's manifest; undefined when the folder holds no (readable) build. */
export function readLinkedBuild(dir: string): LinkedBuild | undefined {
  let manifest: LinkedBuildManifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as LinkedBuildManifest;
  } catch {
    return undefined;
  }
  const packageDir = path.join(dir, 'node_modules', ...manifest.packageName.split('/'));
  return {
    ...manifest,
    dir,
    packageDir,
    binding: path.join(packageDir, 'lib', `napi-v${manifest.napiVersion}`, 'tfjs_binding.node'),
    libPath: path.resolve(dir, manifest.libDir),
  };
}

/** Why `build` cannot load in this process, or undefined. */
export function buildProblem(build: LinkedBuild): string | undefined {
  if (build.nodeAbi !== process.versions.modules) return `built for Node ABI ${build.nodeAbi}, this Node is ABI ${process.versions.modules}`;
  if (!existsSync(build.binding)) return `its binding ${build.binding} is missing`;
  const lost = build.libFiles.filter((f) => !existsSync(path.join(build.libPath, f)));
  if (lost.length > 0) return `its TensorFlow libraries are gone from ${build.libPath} (${lost.join(', ')}); link again`;
  return undefined;
}

/** Every build in `cacheDir` (default {@link linkedBuildsDir}), with what keeps it from loading here. */
export function listLinkedBuilds(cacheDir: string = linkedBuildsDir()): FoundBuild[] {
  let names: string[];
  try {
    names = readdirSync(cacheDir);
  } catch {
    return [];
  }
  return names
    .sort()
    .map((name) => readLinkedBuild(path.join(cacheDir, name)))
    .filter((b): b is LinkedBuild => b !== undefined)
    .map((build) => ({ build, problem: buildProblem(build) }));
}

/** The usable build for `device` with the newest TensorFlow, or undefined. */
export function findLinkedBuild(device: TensorflowDevice, cacheDir: string = linkedBuildsDir()): LinkedBuild | undefined {
  const usable = listLinkedBuilds(cacheDir)
    .filter((f) => f.problem === undefined && f.build.device === device)
    .map((f) => f.build);
  usable.sort((a, b) => compareVersions(b.tensorflowVersion, a.tensorflowVersion) || b.builtAt.localeCompare(a.builtAt));
  return usable[0];
}

/** Compares dotted versions numerically (`2.10.0` > `2.9.1`); non-numeric parts compare as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
