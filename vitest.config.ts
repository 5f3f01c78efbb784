import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// why: one project per workspace package, named after the package, so `vitest run --project <name>`
// runs one package and every project shares the settings below (extends: true).
// why: paths relative to this file, so package scripts (`vitest run --root ../.. --project x`) see the same projects.
const repo = fileURLToPath(new URL('.', import.meta.url));
const workspaceGroups = ['packages', 'plugins', 'examples', 'tests'];
const projects = workspaceGroups.flatMap((group) =>
  existsSync(join(repo, group))
    ? readdirSync(join(repo, group))
        .map((dir) => join(repo, group, dir))
        .filter((dir) => existsSync(join(dir, 'package.json')))
        .map((dir) => {
          const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string };
          return { extends: true as const, test: { name, root: dir, include: ['src/**/*.test.ts', '*.test.ts', '**/*.test.ts'], exclude: ['**/node_modules/**', '**/dist/**'] } };
        })
    : [],
);

export default defineConfig({
  // why: tsyringe needs TypeScript's legacy (experimental) parameter decorators; never emitted metadata.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: false } },
  // why: tests import sibling packages from their TypeScript sources (the "@sdxl-trainer/source" export
  // condition), so a test never runs against a stale dist/ and every package exists once per test process.
  resolve: { conditions: ['@sdxl-trainer/source'] },
  ssr: { resolve: { conditions: ['@sdxl-trainer/source'] } },
  test: {
    projects,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
