import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, REPO, cleanEnv, create, requireBuiltScaffolder, transcript } from './run.js';

let root: string;
beforeAll(async () => {
  requireBuiltScaffolder();
  root = await mkdtemp(join(tmpdir(), 'sdxl-scaffold-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
const released = JSON.parse(readFileSync(join(dirname(CREATE), 'versions.json'), 'utf8')) as Record<string, string>;
const templateManifest = (name: string) => JSON.parse(readFileSync(join(REPO, 'templates', name, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;

describe.each(['default', 'minimal', 'plugin'])('create-sdxl-trainer --template %s --no-interactive', (template) => {
  it('copies the template, renames _gitignore, names the package after its folder and prints the next steps', async () => {
    const result = await create([`My ${template} App`, '--template', template, '--no-interactive'], root);
    expect(result.code, transcript(result)).toBe(0);
    expect(result.stderr).toBe('');
    const dir = join(root, `My ${template} App`);
    expect(result.stdout).toContain(`created my-${template}-app from the ${template} template`);
    expect(result.stdout).toContain(`cd "My ${template} App"`);
    expect(result.stdout).toContain('npm install');

    const files = readdirSync(dir);
    expect(files).toContain('.gitignore');
    expect(files).not.toContain('_gitignore');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe(readFileSync(join(REPO, 'templates', template, '_gitignore'), 'utf8'));
    // every other file arrives byte for byte
    for (const file of readdirSync(join(REPO, 'templates', template), { recursive: true, encoding: 'utf8' })) {
      if (file === '_gitignore' || file === 'package.json' || !file.includes('.')) continue;
      expect(readFileSync(join(dir, file), 'utf8'), file).toBe(readFileSync(join(REPO, 'templates', template, file), 'utf8'));
    }

    const written = manifest(dir);
    expect(written['name']).toBe(`my-${template}-app`);
    // @sdxl-trainer/* placeholders become this release's versions; everything else is as the template says
    const source = templateManifest(template);
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies'] as const) {
      for (const [name, spec] of Object.entries(source[field] ?? {})) {
        const expected = spec === 'workspace:^' ? `^${released[name]}` : spec;
        if (spec.startsWith('workspace:')) expect(released[name], name).toMatch(/^\d+\.\d+\.\d+/);
        if (spec === 'workspace:^') expect(written[field]![name], `${field} ${name}`).toBe(expected);
        else if (!spec.startsWith('workspace:')) expect(written[field]![name], `${field} ${name}`).toBe(spec);
      }
    }
  });
});

describe('create-sdxl-trainer refuses and overwrites', () => {
  it('refuses a folder that holds files, names it, and changes nothing', async () => {
    const dir = join(root, 'taken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    const result = await create(['taken', '--no-interactive'], root);
    expect(result.code, transcript(result)).toBe(1);
    expect(result.stderr).toContain(`${dir} is not empty (1 entry: notes.txt)`);
    expect(result.stderr).toContain('--overwrite');
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('--overwrite empties the folder first, but keeps .git', async () => {
    const dir = join(root, 'again');
    mkdirSync(join(dir, '.git'), { recursive: true });
    writeFileSync(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(dir, 'old.txt'), 'old');
    const result = await create(['again', '--template', 'plugin', '--no-interactive', '--overwrite'], root);
    expect(result.code, transcript(result)).toBe(0);
    expect(existsSync(join(dir, 'old.txt'))).toBe(false);
    expect(readFileSync(join(dir, '.git', 'HEAD'), 'utf8')).toBe('ref: refs/heads/main\n');
    expect(existsSync(join(dir, 'src', 'index.ts'))).toBe(true);
  });
});

describe('create-sdxl-trainer flags', () => {
  it('--sdxl-trainer-version sets every @sdxl-trainer/* dependency, and leaves peer ranges alone', async () => {
    const result = await create(['pinned', '-t', 'plugin', '--no-interactive', '--sdxl-trainer-version', '0.9.1'], root);
    expect(result.code, transcript(result)).toBe(0);
    const written = manifest(join(root, 'pinned'));
    expect(written['devDependencies']!['@sdxl-trainer/core']).toBe('0.9.1');
    expect(written['devDependencies']!['@sdxl-trainer/schedulers']).toBe('0.9.1');
    expect(written['peerDependencies']).toEqual(templateManifest('plugin')['peerDependencies']);
  });

  it('--link points @sdxl-trainer/* and shared dependencies at the checkout, the rest at the registry', async () => {
    const result = await create(['linked', '-t', 'plugin', '--no-interactive', '--link', REPO], root);
    expect(result.code, transcript(result)).toBe(0);
    const dev = manifest(join(root, 'linked'))['devDependencies']!;
    expect(dev['@sdxl-trainer/core']).toBe(`file:${join(REPO, 'packages', 'core')}`);
    expect(dev['@sdxl-trainer/schedulers']).toBe(`file:${join(REPO, 'packages', 'schedulers')}`);
    expect(dev['@tensorflow/tfjs-core']).toBe(`file:${join(REPO, 'node_modules', '@tensorflow', 'tfjs-core')}`);
    expect(dev['vitest']).toBe(templateManifest('plugin')['devDependencies']!['vitest']);
  });

  it('takes the package manager from npm_config_user_agent for the next steps', async () => {
    const result = await create(['by-pnpm', '--no-interactive'], root, cleanEnv({ npm_config_user_agent: 'pnpm/9.12.0 npm/? node/v20.19.0 linux x64' }));
    expect(result.code, transcript(result)).toBe(0);
    expect(result.stdout).toContain('pnpm install');
    expect(result.stdout).toContain('pnpm train --max_train_steps 2');
  });

  it('exits 2 on a bad command line, naming the flag, and writes nothing', async () => {
    const unknown = await create(['nope', '--template', 'large', '--no-interactive'], root);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--template "large": expected one of default, minimal, plugin');
    const flag = await create(['nope', '--colour'], root);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--colour'");
    expect(existsSync(join(root, 'nope'))).toBe(false);
  });

  it('--help lists the templates and flags', async () => {
    const result = await create(['--help'], root);
    expect(result.code).toBe(0);
    for (const word of ['default', 'minimal', 'plugin', '--no-interactive', '--overwrite', '--package-manager', '--link']) expect(result.stdout).toContain(word);
  });
});
