import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: what `--link` points generated projects at. */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The built `create-sdxl-trainer` bin (index.js, which loads dist/ and copies template-* folders). */
export const CREATE = join(dirname(createRequire(import.meta.url).resolve('create-sdxl-trainer/package.json')), 'index.js');

/** Fail loudly when the scaffolder was not built: the suite tests the built CLI, as `npm create` runs it. */
export function requireBuiltScaffolder(): void {
  const root = dirname(CREATE);
  for (const needed of ['dist/index.js', 'template-default/package.json', 'template-minimal/package.json', 'template-plugin/package.json', 'versions.json']) {
    if (!existsSync(join(root, needed))) throw new Error(`${join(root, needed)} is missing: run \`npm run build\` at the repository root (it copies the templates and compiles the CLI) before this suite`);
  }
}

/** What a spawned command did. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

// where npm finds packages and its cache, which a person's terminal would have too
const KEPT_NPM_CONFIG = new Set(['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig', 'npm_config_cafile']);

/**
 * The environment of a command run as a person would run it in a new terminal: without the npm_* variables of the
 * `npm test` that started this suite (its prefix, workspace and log level would steer a nested npm) and without
 * vitest's own.
 */
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || (/^(npm_|VITEST|INIT_CWD$|NODE_ENV$|TEST$)/i.test(key) && !KEPT_NPM_CONFIG.has(key.toLowerCase()))) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Spawn `command args` in `cwd`, collecting its output. */
export function run(command: string, args: readonly string[], cwd: string, env: Record<string, string> = cleanEnv()): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
  });
}

/** Spawn the built scaffolder with these arguments in `cwd`, stdin not a terminal (as in CI). */
export function create(args: readonly string[], cwd: string, env?: Record<string, string>): Promise<RunResult> {
  return run(process.execPath, [CREATE, ...args], cwd, env);
}

/** A command's output for an assertion message. */
export function transcript(result: RunResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`;
}
