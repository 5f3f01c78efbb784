import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareTinyShapes, type TinyShapesFolders } from '@sdxl-trainer/tiny-shapes';

const TRAIN = fileURLToPath(new URL('../../packages/cli/bin/sdxl-train.js', import.meta.url));
const GENERATE = fileURLToPath(new URL('../../packages/cli/bin/sdxl-generate.js', import.meta.url));
// why inside the repository (git-ignored .tmp/): a config file written there resolves @sdxl-trainer/* from the
// workspace's node_modules, as a user's sdxl.config.ts does from their project.
const TMP = fileURLToPath(new URL('./.tmp/', import.meta.url));

/** What a spawned CLI did. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** A temporary folder with a tiny-shapes dataset and pipeline, and the environment the CLIs run in. */
export interface Workspace extends TinyShapesFolders {
  readonly root: string;
  /** Keeps every cache inside the workspace and the Hub offline. */
  readonly env: Readonly<Record<string, string>>;
  /** Spawn the built `sdxl-train` with these arguments. */
  train(args: readonly string[]): Promise<CliResult>;
  /** Spawn the built `sdxl-generate` with these arguments. */
  generate(args: readonly string[]): Promise<CliResult>;
  dispose(): Promise<void>;
}

/**
 * Makes a workspace: the example's dataset (`count` images at `resolution`) and tiny SDXL pipeline, made by the
 * example's own generators in the test process (wasm, one thread).
 */
export async function makeWorkspace(options: { count: number; resolution?: number; seed?: number }): Promise<Workspace> {
  mkdirSync(TMP, { recursive: true });
  const root = await mkdtemp(join(TMP, 'e2e-'));
  const folders = await prepareTinyShapes({ cacheDir: root, count: options.count, resolution: options.resolution ?? 32, seed: options.seed ?? 1 });
  const env = { SDXL_TRAINER_CACHE: join(root, 'sdxl-trainer-cache'), HF_HOME: join(root, 'hf'), HF_HUB_OFFLINE: '1' };
  return {
    root,
    ...folders,
    env,
    train: (args) => spawnNode(TRAIN, args, env),
    generate: (args) => spawnNode(GENERATE, args, env),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}

/** The flags every run of the suite shares: wasm with one thread (what every install has; the second thread of a busy 2-core machine mostly waits). */
export const BACKEND = ['--backend', 'wasm', '--threads', '1'] as const;

function spawnNode(bin: string, args: readonly string[], env: Readonly<Record<string, string>>): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
  });
}
