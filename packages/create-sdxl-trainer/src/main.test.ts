import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CreateIo } from './main.js';
import { templateDir } from './packageFiles.js';

// every temporary folder a test makes, removed when the file is done
const made: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

// why: main() copies the built template-* folders; they exist after `npm run build` of this package.
const built = readdirSync(new URL('../', import.meta.url)).filter((entry) => entry.startsWith('template-'));
if (built.length < 3) throw new Error(`packages/create-sdxl-trainer has ${built.length} template-* folders: run \`npm run build\` in it first (it copies the repository's templates)`);

/** An io whose terminal is a pair of streams; `answers` are typed when the output shows the text before them. */
function fakeIo(cwd: string, options: { tty?: boolean; answers?: [prompt: string, keys: string][]; runs?: string[][]; exitCode?: number } = {}) {
  const stdin: PassThrough & { isTTY: boolean; setRawMode?: () => void } = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  if (options.tty) stdin.setRawMode = () => undefined; // what a terminal has, and clack calls
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  const pending = [...(options.answers ?? [])];
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    // why: a key typed before its prompt listens is lost, so each answer waits for its prompt to be drawn
    while (pending.length > 0 && out.includes(pending[0]![0])) {
      const [, keys] = pending.shift()!;
      setTimeout(() => stdin.write(keys), 5);
    }
  });
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const io: CreateIo = {
    cwd,
    env: { npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64' },
    stdin,
    stdout,
    stderr,
    run: async (command, args, dir) => {
      options.runs?.push([command, ...args, dir]);
      return options.exitCode ?? 0;
    },
  };
  return { io, output: () => out, errors: () => err };
}

describe('main, without a terminal', () => {
  it('scaffolds from flags alone and prints the next steps', async () => {
    const cwd = tempDir('main-');
    const { io, output, errors } = fakeIo(cwd);
    expect(await main(['run-1', '--template', 'minimal'], io)).toBe(0);
    expect(errors()).toBe('');
    expect(output()).toContain('created run-1 from the minimal template in run-1');
    expect(output()).toMatch(/Next:\n {2}cd run-1\n {2}npm install\n/);
    expect(JSON.parse(readFileSync(join(cwd, 'run-1', 'package.json'), 'utf8')).name).toBe('run-1');
  });

  it('--install runs the package manager in the new folder; a failed install exits 1 and says so', async () => {
    const cwd = tempDir('main-');
    const runs: string[][] = [];
    const ok = fakeIo(cwd, { runs });
    expect(await main(['a', '--install', '--package-manager', 'pnpm'], ok.io)).toBe(0);
    expect(runs).toEqual([['pnpm', 'install', join(cwd, 'a')]]);
    expect(ok.output()).not.toContain('pnpm install\n  ');
    const failed = fakeIo(cwd, { exitCode: 3 });
    expect(await main(['b', '--install'], failed.io)).toBe(1);
    expect(failed.errors()).toContain('npm install exited with 3');
    expect(failed.output()).toContain('  npm install');
  });

  it('exits 1 on a folder with files, 2 on a bad flag, and 0 for --help', async () => {
    const cwd = tempDir('main-');
    expect(await main(['x'], fakeIo(cwd).io)).toBe(0);
    const again = fakeIo(cwd);
    expect(await main(['x'], again.io)).toBe(1);
    expect(again.errors()).toContain('is not empty');
    const bad = fakeIo(cwd);
    expect(await main(['--nope'], bad.io)).toBe(2);
    expect(bad.errors()).toContain('Run create-sdxl-trainer --help');
    const help = fakeIo(cwd);
    expect(await main(['--help'], help.io)).toBe(0);
    expect(help.output()).toContain('Usage: npm create sdxl-trainer');
  });
});

describe('main, on a terminal', () => {
  const DOWN = '\x1b[B';
  const ENTER = '\r';

  it('asks for the folder, the template and whether to install', async () => {
    const cwd = tempDir('main-');
    const runs: string[][] = [];
    const { io, output } = fakeIo(cwd, {
      tty: true,
      runs,
      answers: [
        ['Project folder', `my-plugin${ENTER}`],
        ['Template', `${DOWN}${DOWN}${ENTER}`],
        ['Install dependencies with npm now?', ENTER],
      ],
    });
    expect(await main(['--interactive'], io)).toBe(0);
    expect(readdirSync(join(cwd, 'my-plugin'))).toContain('src');
    expect(readFileSync(join(cwd, 'my-plugin', 'src', 'index.ts'), 'utf8')).toBe(readFileSync(join(templateDir('plugin'), 'src', 'index.ts'), 'utf8'));
    expect(runs).toEqual([['npm', 'install', join(cwd, 'my-plugin')]]);
    expect(output()).toContain('npm test');
  });

  it('asks before emptying a folder with files, and writes nothing when told no', async () => {
    const cwd = tempDir('main-');
    expect(await main(['taken', '--no-interactive'], fakeIo(cwd).io)).toBe(0);
    const before = readdirSync(join(cwd, 'taken')).sort();
    const { io, output } = fakeIo(cwd, { tty: true, answers: [['Remove them', ENTER]] });
    expect(await main(['taken', '--interactive', '-t', 'plugin'], io)).toBe(1);
    expect(output()).toContain('Cancelled: nothing was written.');
    expect(readdirSync(join(cwd, 'taken')).sort()).toEqual(before);
  });
});
