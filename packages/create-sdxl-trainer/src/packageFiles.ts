import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TemplateName } from './templates.js';

// why: the same relative path from src/ (tests) and dist/ (the published CLI) reaches the package's root.
const PACKAGE_ROOT = new URL('../', import.meta.url);

/** The folder of a shipped template: `template-<name>/` beside `dist/` (copied from the repository's templates/ at build time). */
export function templateDir(name: TemplateName): string {
  return fileURLToPath(new URL(`template-${name}`, PACKAGE_ROOT));
}

/** This scaffolder's own version. */
export function ownVersion(): string {
  return (JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { version: string }).version;
}

/**
 * The version of every sdxl-trainer package at the time this scaffolder was built (`versions.json`, written by
 * scripts/copyTemplates.mjs). why: the packages are versioned independently, so the scaffolder's own version says
 * nothing about, say, @sdxl-trainer/core's. Empty when the file is missing (a checkout that was not built).
 */
export function releaseVersions(): Record<string, string> {
  const file = new URL('versions.json', PACKAGE_ROOT);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
}
