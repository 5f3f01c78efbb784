import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { ErrorCode, SdxlError, isSdxlError } from '@sdxl-trainer/errors';
import { createJiti } from 'jiti';
import type { ConfigEnv } from './defineConfig.js';
import { parseConfig } from './parseConfig.js';
import type { ResolvedConfig } from './schema.js';

const SCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

/**
 * Load and validate a run config: `sdxl.config.ts` / `.mts` / `.js` / `.mjs` (compiled on the fly by jiti,
 * default export = config or function returning one) or `.json`. Errors name the file.
 */
export async function loadConfig(file: string, options: { command?: string } = {}): Promise<ResolvedConfig> {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new SdxlError(ErrorCode.CONFIG_NOT_FOUND, `config file not found: ${path}`, { details: { file: path } });
  }
  const extension = extname(path);
  let exported: unknown;
  if (extension === '.json') {
    exported = await readJson(path);
  } else if (SCRIPT_EXTENSIONS.has(extension)) {
    exported = await importScript(path);
  } else {
    throw new SdxlError(ErrorCode.CONFIG_LOAD_FAILED, `cannot load ${path}: expected a .ts, .mts, .js, .mjs or .json config file`, { details: { file: path } });
  }
  const env: ConfigEnv = { command: options.command ?? 'train', configFile: path };
  let config: unknown;
  try {
    config = typeof exported === 'function' ? await (exported as (e: ConfigEnv) => unknown)(env) : exported;
  } catch (error) {
    throw new SdxlError(ErrorCode.CONFIG_LOAD_FAILED, `the config function in ${path} threw: ${messageOf(error)}`, { details: { file: path }, cause: error });
  }
  return parseConfig(config, path);
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SdxlError(ErrorCode.CONFIG_LOAD_FAILED, `${path} is not valid JSON: ${messageOf(error)}`, { details: { file: path }, cause: error });
  }
}

async function importScript(path: string): Promise<unknown> {
  // why: jiti compiles TypeScript (legacy decorators included) without a build step, honouring the config's own
  // imports. Its module cache stays on so packages the config imports (tfjs-core above all) are the same module
  // instances the trainer uses, never a second copy.
  const jiti = createJiti(import.meta.url);
  let module: unknown;
  try {
    module = await jiti.import(path);
  } catch (error) {
    if (isSdxlError(error)) throw error;
    throw new SdxlError(ErrorCode.CONFIG_LOAD_FAILED, `could not load ${path}: ${messageOf(error)}`, { details: { file: path }, cause: error });
  }
  // why: jiti answers `.default` even for a module without one (its interop proxy), so ask whether the key exists.
  const exported = typeof module === 'object' && module !== null && 'default' in module ? (module as { default: unknown }).default : undefined;
  if (exported === undefined) {
    throw new SdxlError(ErrorCode.CONFIG_LOAD_FAILED, `${path} has no default export: write \`export default defineConfig({ ... })\``, { details: { file: path } });
  }
  return exported;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
