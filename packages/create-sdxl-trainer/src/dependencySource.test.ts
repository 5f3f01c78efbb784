import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dependencySpec, type DependencySource } from './dependencySource.js';
import { rewriteManifest } from './rewriteManifest.js';

// every temporary folder a test makes, removed when the file is done
const made: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const release: DependencySource = { kind: 'release', versions: { '@sdxl-trainer/core': '0.3.1', '@sdxl-trainer/cli': '0.2.0' }, fallbackVersion: '0.1.5' };

describe('dependencySpec, release mode', () => {
  // pnpm's workspace protocol, as its docs define what `pnpm publish` writes for version 0.3.1
  it.each([
    ['workspace:^', '^0.3.1'],
    ['workspace:~', '~0.3.1'],
    ['workspace:*', '0.3.1'],
    ['workspace:>=0.3.0 <1.0.0', '>=0.3.0 <1.0.0'],
  ])('%s → %s', (spec, expected) => {
    expect(dependencySpec('@sdxl-trainer/core', spec, release)).toBe(expected);
  });

  it('uses each package’s own recorded version, and the scaffolder’s for a package it has none for', () => {
    expect(dependencySpec('@sdxl-trainer/cli', 'workspace:^', release)).toBe('^0.2.0');
    expect(dependencySpec('@sdxl-trainer/unknown', 'workspace:^', release)).toBe('^0.1.5');
  });

  it('keeps specs that are not placeholders, and packages outside the scope', () => {
    expect(dependencySpec('@sdxl-trainer/core', '>=0.1.0 <1.0.0', release)).toBe('>=0.1.0 <1.0.0');
    expect(dependencySpec('vitest', 'workspace:^', release)).toBe('workspace:^');
    expect(dependencySpec('zod', '~4.6.7', release)).toBe('~4.6.7');
  });

  it('--sdxl-trainer-version replaces every placeholder', () => {
    expect(dependencySpec('@sdxl-trainer/cli', 'workspace:^', { ...release, override: 'next' })).toBe('next');
  });
});

describe('dependencySpec, link mode', () => {
  const repo = tempDir('link-');
  mkdirSync(join(repo, 'node_modules', 'zod'), { recursive: true });
  writeFileSync(join(repo, 'node_modules', 'zod', 'package.json'), '{"name":"zod","version":"4.6.7"}');
  mkdirSync(join(repo, 'node_modules', 'vitest'), { recursive: true });
  writeFileSync(join(repo, 'node_modules', 'vitest', 'package.json'), '{"name":"vitest","version":"4.1.12"}');
  const link: DependencySource = {
    kind: 'link',
    workspace: { repo, packages: new Map([['@sdxl-trainer/core', join(repo, 'packages', 'core')]]), shared: new Set(['zod', '@tensorflow/tfjs-core']) },
  };

  it('points our packages at their folders, whatever the template spec', () => {
    expect(dependencySpec('@sdxl-trainer/core', 'workspace:^', link)).toBe(`file:${join(repo, 'packages', 'core')}`);
    expect(dependencySpec('@sdxl-trainer/core', '^0.1.0', link)).toBe(`file:${join(repo, 'packages', 'core')}`);
  });

  it('shares what the workspace depends on and has installed; the rest comes from the registry', () => {
    expect(dependencySpec('zod', '~4.6.7', link)).toBe(`file:${join(repo, 'node_modules', 'zod')}`);
    expect(dependencySpec('vitest', '~4.1.12', link)).toBe('~4.1.12'); // installed, but no workspace package depends on it
    expect(dependencySpec('@tensorflow/tfjs-core', '4.22.0', link)).toBe('4.22.0'); // shared, but not installed there
  });

  it('fails naming a package the checkout does not have', () => {
    expect(() => dependencySpec('@sdxl-trainer/nope', 'workspace:^', link)).toThrow(expect.objectContaining({ code: 'SCAFFOLD_LINK_INVALID', message: expect.stringContaining('@sdxl-trainer/nope') }));
  });
});

describe('rewriteManifest', () => {
  it('sets the name, resolves installed dependencies and keeps peer ranges and other fields', () => {
    const template = {
      name: 'template-name',
      version: '0.1.0',
      scripts: { test: 'vitest run' },
      peerDependencies: { '@sdxl-trainer/core': '>=0.1.0 <1.0.0' },
      dependencies: { '@sdxl-trainer/cli': 'workspace:^', zod: '~4.6.7' },
      devDependencies: { '@sdxl-trainer/core': 'workspace:~' },
    };
    expect(rewriteManifest(template, { name: 'mine', source: release })).toEqual({
      ...template,
      name: 'mine',
      dependencies: { '@sdxl-trainer/cli': '^0.2.0', zod: '~4.6.7' },
      devDependencies: { '@sdxl-trainer/core': '~0.3.1' },
    });
    expect(template.dependencies['@sdxl-trainer/cli']).toBe('workspace:^'); // the template object is not changed
  });
});
