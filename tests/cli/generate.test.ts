import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { sdxlTinyFixture, sdxlTinyRepoFiles, startLocalHub } from '@sdxl-trainer/testing';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../packages/cli/bin/sdxl-generate.js', import.meta.url));
const version = (JSON.parse(readFileSync(new URL('../../packages/cli/package.json', import.meta.url), 'utf8')) as { version: string }).version;
const fixture = sdxlTinyFixture();
// why wasm: the backend every install has; one pinned backend keeps the runs comparable wherever the suite runs.
// One thread: on a busy 2-core machine the second mostly waits.
const backend = ['--backend', 'wasm', '--threads', '1'];

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawn the built CLI as a user would (asynchronously: the local Hub answers from this process). */
function run(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Width, height and channels of a PNG, decoded by sharp (which fails on a truncated or invalid file). */
async function pngSize(path: string): Promise<[number, number, number]> {
  const { info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  return [info.width, info.height, info.channels];
}

describe('sdxl-generate', () => {
  it('--help prints every option and --version the version', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const option of ['--model <folder|hub id>', '--prompt <text>', '--negative-prompt', '--guidance-scale', '--steps', '--seed', '--width', '--height', '--num-images', '--out <folder>', '--backend', '--threads', '--variant']) {
      expect(help.stdout).toContain(option);
    }
    expect((await run(['--version'])).stdout.trim()).toBe(version);
  });

  it('exits 2 with a clear message for an unknown flag, a missing --model or --prompt, and bad numbers', async () => {
    const cases: [string[], string][] = [
      [['--model', fixture, '--promt', 'x'], 'unknown option --promt; did you mean --prompt?'],
      [['--prompt', 'x'], '--model <folder|hub id> is required'],
      [['--model', fixture], '--prompt <text> is required'],
      [['--model', fixture, '--prompt', 'x', '--steps', 'five'], '--steps must be an integer from 1 to 1000, got "five"'],
      [['--model', fixture, '--prompt', 'x', '--width', '100'], '--width must be a positive multiple of 8, got "100"'],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(`sdxl-generate: ${message}`);
    }
  });

  it('exits 1 naming the problem when the model cannot be found', async () => {
    const result = await run(['--model', '/nonexistent/sdxl', '--prompt', 'x', ...backend]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error HUB_INVALID_REPO_ID');
    expect(result.stderr).toContain('"/nonexistent/sdxl" is neither an existing local path nor a Hub repo id');
  });

  it('writes <index>-<seed>.png images of the right size from a local folder, the same bytes for the same seed', async () => {
    const outs = [await mkdtemp(join(tmpdir(), 'sdxl-generate-')), await mkdtemp(join(tmpdir(), 'sdxl-generate-'))];
    for (const out of outs) {
      const result = await run(['--model', fixture, '--prompt', 'a red circle', '--steps', '5', '--seed', '42', '--num-images', '2', '--out', out, ...backend]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^backend wasm/m);
      expect(result.stdout).toMatch(/^step 5\/5 \(t=1\)/m);
      expect(result.stdout).toContain('generated 2 images of 64×64');
      expect(result.stdout).toContain(`wrote ${join(out, '0-42.png')}`);
      expect(result.stdout).toContain(`wrote ${join(out, '1-43.png')}`);
      expect(readdirSync(out).sort()).toEqual(['0-42.png', '1-43.png']);
      for (const name of ['0-42.png', '1-43.png']) expect(await pngSize(join(out, name))).toEqual([64, 64, 3]);
    }
    for (const name of ['0-42.png', '1-43.png']) expect(readFileSync(join(outs[0]!, name)).equals(readFileSync(join(outs[1]!, name))), name).toBe(true);
    // different seeds, different pictures
    expect(readFileSync(join(outs[0]!, '0-42.png')).equals(readFileSync(join(outs[0]!, '1-43.png')))).toBe(false);
  }, 300_000);

  it('resolves a Hub id through HF_ENDPOINT into HF_HOME, then again offline from that cache', async () => {
    const hub = await startLocalHub({ repos: [{ type: 'model', id: 'tiny-org/sdxl-tiny', files: sdxlTinyRepoFiles() }] });
    const home = await mkdtemp(join(tmpdir(), 'hf-home-'));
    const out = await mkdtemp(join(tmpdir(), 'sdxl-generate-'));
    const args = ['--model', 'tiny-org/sdxl-tiny', '--prompt', 'a red circle', '--steps', '2', '--seed', '7', '--width', '48', '--height', '64', ...backend];
    let online: Result;
    try {
      online = await run([...args, '--out', join(out, 'online')], { HF_ENDPOINT: hub.url, HF_HOME: home });
      expect(hub.requests.some((request) => request.path.includes('unet/diffusion_pytorch_model.safetensors'))).toBe(true);
    } finally {
      await hub.close();
    }
    expect(online.stderr).toBe('');
    expect(online.code).toBe(0);
    expect(online.stdout).toContain('downloaded unet/diffusion_pytorch_model.safetensors');
    expect(online.stdout).toMatch(/loaded tiny-org\/sdxl-tiny@[0-9a-f]{10} \(/);
    expect(existsSync(join(home, 'hub', 'models--tiny-org--sdxl-tiny', 'refs', 'main'))).toBe(true);
    expect(await pngSize(join(out, 'online', '0-7.png'))).toEqual([48, 64, 3]);

    const offline = await run([...args, '--out', join(out, 'offline')], { HF_HOME: home, HF_HUB_OFFLINE: '1', HF_ENDPOINT: 'http://127.0.0.1:9' });
    expect(offline.stderr).toBe('');
    expect(offline.code).toBe(0);
    expect(offline.stdout).not.toContain('downloaded');
    expect(readFileSync(join(out, 'offline', '0-7.png')).equals(readFileSync(join(out, 'online', '0-7.png')))).toBe(true);
  }, 300_000);
});
