import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The outcome of {@link importOptionalPackage}. */
export type OptionalImport =
  | { readonly status: 'loaded'; readonly file: string }
  | { readonly status: 'missing'; readonly reason: string }
  | { readonly status: 'broken'; readonly reason: string; readonly error: unknown };

/**
 * Resolves `name` from each folder of `from` in turn (Node's require resolution: `node_modules` of the
 * folder and its parents) and imports the first hit. Nothing is loaded when the package is absent.
 */
export async function importOptionalPackage(name: string, from: readonly (string | URL)[]): Promise<OptionalImport> {
  let file: string | undefined;
  for (const base of from) {
    const dir = base instanceof URL || base.startsWith('file:') ? fileURLToPath(base) : base;
    try {
      file = createRequire(path.join(path.resolve(dir), 'noop.js')).resolve(name);
      break;
    } catch (error) {
      if (!isNotFound(error, name)) {
        return { status: 'broken', reason: `${name} could not be resolved: ${message(error)}`, error };
      }
    }
  }
  if (file === undefined) {
    return { status: 'missing', reason: `${name} not installed` };
  }
  try {
    await import(pathToFileURL(file).href);
    return { status: 'loaded', file };
  } catch (error) {
    return { status: 'broken', reason: `${name} failed to load: ${message(error)}`, error };
  }
}

function isNotFound(error: unknown, name: string): boolean {
  const e = error as { code?: string; message?: string };
  // why: a present package whose own "main" is missing also says MODULE_NOT_FOUND, but names another file.
  return e.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${name}'`);
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
