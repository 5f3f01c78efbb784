// Build step (create-vite's layout): copy the repository's templates/<name>/ to template-<name>/ in this package, so
// they are published inside it, and record the version of every workspace package in versions.json, so a new project
// depends on the versions released with this scaffolder (the packages are versioned independently).
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const repo = join(packageRoot, '..', '..');
const templates = join(repo, 'templates');
// why: what a developer may have made inside templates/ while trying one out is never shipped.
const SKIPPED = new Set(['node_modules', 'dist', 'output', 'generated', '.cache', 'package-lock.json', '.turbo']);

for (const entry of readdirSync(packageRoot)) {
  if (entry.startsWith('template-')) rmSync(join(packageRoot, entry), { recursive: true, force: true });
}
const names = readdirSync(templates, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
for (const name of names) {
  cpSync(join(templates, name), join(packageRoot, `template-${name}`), { recursive: true, filter: (source) => !SKIPPED.has(basename(source)) });
}

const workspaces = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).workspaces;
const versions = {};
for (const pattern of workspaces) {
  const parent = join(repo, pattern.replace(/\/\*$/, ''));
  const folders = pattern.endsWith('/*') && existsSync(parent) ? readdirSync(parent).map((d) => join(parent, d)) : [parent];
  for (const folder of folders) {
    const file = join(folder, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    if (manifest.name?.startsWith('@sdxl-trainer/') && manifest.version && !manifest.private) versions[manifest.name] = manifest.version;
  }
}
writeFileSync(join(packageRoot, 'versions.json'), `${JSON.stringify(Object.fromEntries(Object.entries(versions).sort()), null, 2)}\n`);
console.log(`copied templates ${names.join(', ')}; recorded ${Object.keys(versions).length} package versions`);
