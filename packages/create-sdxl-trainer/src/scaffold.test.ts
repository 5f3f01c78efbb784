import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { DependencySource } from './dependencySource.js';
import { scaffold } from './scaffold.js';

// every temporary folder a test makes, removed when the file is done
const made: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const release: DependencySource = { kind: 'release', versions: { '@sdxl-trainer/core': '0.4.0' }, fallbackVersion: '0.1.0' };
// the repository's own templates, as scripts/copyTemplates.mjs copies them
const TEMPLATES = fileURLToPath(new URL('../../../templates/', import.meta.url));

function fakeTemplate(): string {
  const dir = tempDir('template-');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', devDependencies: { '@sdxl-trainer/core': 'workspace:^' } }));
  writeFileSync(join(dir, '_gitignore'), 'node_modules/\n');
  writeFileSync(join(dir, '_npmrc'), 'engine-strict=true\n');
  mkdirSync(join(dir, 'src', 'deep'), { recursive: true });
  writeFileSync(join(dir, 'src', 'deep', 'a.ts'), 'export const a = 1;\n');
  writeFileSync(join(dir, 'src', '_gitignore'), '*.log\n');
  return dir;
}

describe('scaffold', () => {
  it('makes the folder, names the package after it and resolves the placeholders', async () => {
    const parent = tempDir('parent-');
    const result = await scaffold({ targetDir: join(parent, 'My Run'), templateDir: fakeTemplate(), source: release });
    expect(result.packageName).toBe('my-run');
    expect(result.removed).toEqual([]);
    expect(JSON.parse(readFileSync(join(parent, 'My Run', 'package.json'), 'utf8'))).toEqual({ name: 'my-run', devDependencies: { '@sdxl-trainer/core': '^0.4.0' } });
  });

  it('refuses a folder with files in it, saying which, and leaves it alone', async () => {
    const dir = tempDir('taken-');
    writeFileSync(join(dir, 'mine.txt'), 'mine');
    await expect(scaffold({ targetDir: dir, templateDir: fakeTemplate(), source: release })).rejects.toMatchObject({
      code: 'SCAFFOLD_TARGET_NOT_EMPTY',
      message: expect.stringContaining(`${dir} is not empty (1 entry: mine.txt)`),
    });
    expect(readdirSync(dir)).toEqual(['mine.txt']);
  });

  it('with overwrite, removes what was there (not .git) and says what', async () => {
    const dir = tempDir('taken-');
    writeFileSync(join(dir, 'mine.txt'), 'mine');
    mkdirSync(join(dir, '.git'));
    const result = await scaffold({ targetDir: dir, templateDir: fakeTemplate(), source: release, overwrite: true });
    expect(result.removed).toEqual(['mine.txt']);
    expect(existsSync(join(dir, 'mine.txt'))).toBe(false);
    expect(existsSync(join(dir, '.git'))).toBe(true);
  });

  it('refuses an invalid package name and a template folder without package.json', async () => {
    const parent = tempDir('parent-');
    await expect(scaffold({ targetDir: join(parent, 'a'), templateDir: fakeTemplate(), source: release, packageName: 'Not Valid' })).rejects.toMatchObject({ code: 'SCAFFOLD_PACKAGE_NAME_INVALID' });
    await expect(scaffold({ targetDir: join(parent, 'b'), templateDir: parent, source: release })).rejects.toMatchObject({ code: 'SCAFFOLD_TEMPLATE_MISSING' });
    expect(readdirSync(parent)).toEqual([]);
  });

  it.each(['default', 'minimal', 'plugin'])('scaffolds the repository’s %s template, leaving no placeholder of ours behind', async (name) => {
    const parent = tempDir('parent-');
    const result = await scaffold({ targetDir: join(parent, name), templateDir: join(TEMPLATES, name), source: release });
    expect(result.files).toContain('.gitignore');
    expect(result.files).toContain('README.md');
    const manifest = readFileSync(join(parent, name, 'package.json'), 'utf8');
    expect(manifest).not.toContain('workspace:');
  });
});
