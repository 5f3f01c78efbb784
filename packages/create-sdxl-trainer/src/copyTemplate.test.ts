import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyTemplate, RENAMED_FILES } from './copyTemplate.js';

// every temporary folder a test makes, removed when the file is done
const made: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('copyTemplate', () => {
  it('copies every file and renames _gitignore and _npmrc wherever they are', async () => {
    const template = tempDir('template-');
    writeFileSync(join(template, 'package.json'), '{}');
    writeFileSync(join(template, '_gitignore'), 'node_modules/\n');
    writeFileSync(join(template, '_npmrc'), 'engine-strict=true\n');
    mkdirSync(join(template, 'src', 'deep'), { recursive: true });
    writeFileSync(join(template, 'src', 'deep', 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(template, 'src', '_gitignore'), '*.log\n');
    const target = tempDir('target-');

    const written = await copyTemplate(template, target);
    expect(written).toEqual(['.gitignore', '.npmrc', 'package.json', join('src', '.gitignore'), join('src', 'deep', 'a.ts')].sort());
    expect(readFileSync(join(target, '.npmrc'), 'utf8')).toBe('engine-strict=true\n');
    expect(readFileSync(join(target, 'src', '.gitignore'), 'utf8')).toBe('*.log\n');
    expect(readFileSync(join(target, 'src', 'deep', 'a.ts'), 'utf8')).toBe('export const a = 1;\n');
    expect(RENAMED_FILES).toEqual({ _gitignore: '.gitignore', _npmrc: '.npmrc' });
  });
});
