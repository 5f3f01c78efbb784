import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, cleanEnv, create, requireBuiltScaffolder, run, transcript, type RunResult } from './run.js';

// Each template is scaffolded with --link into a folder outside the repository, so nothing resolves through the
// workspace's hoisted node_modules: the project gets what its own package.json installs. @sdxl-trainer/* packages
// are the workspace's (built) folders; everything else comes from the npm cache, else the registry.

let root: string;
let env: Record<string, string>;
const timings: { template: string; step: string; seconds: number }[] = [];

beforeAll(async () => {
  requireBuiltScaffolder();
  root = await mkdtemp(join(tmpdir(), 'sdxl-projects-'));
  // why: every cache a run writes stays in the temporary folder, and the Hub is never asked
  env = cleanEnv({ SDXL_TRAINER_CACHE: join(root, 'sdxl-trainer-cache'), HF_HOME: join(root, 'hf'), HF_HUB_OFFLINE: '1' });
});
afterAll(async () => {
  if (timings.length > 0) {
    const lines = timings.map(({ template, step, seconds }) => `  ${template.padEnd(8)} ${step.padEnd(44)} ${seconds.toFixed(1).padStart(6)} s`);
    console.log(`scaffolded projects, wall clock:\n${lines.join('\n')}`);
  }
  await rm(root, { recursive: true, force: true });
});

async function step(template: string, name: string, result: Promise<RunResult>): Promise<RunResult> {
  const done = await result;
  timings.push({ template, step: name, seconds: done.seconds });
  expect(done.code, `${template}: ${name}\n${transcript(done)}`).toBe(0);
  return done;
}

/** Scaffold `template` linked to this repository and install it (from the npm cache where it can). */
async function scaffoldAndInstall(template: string): Promise<string> {
  await step(template, `create-sdxl-trainer -t ${template} --link`, create([template, '--template', template, '--no-interactive', '--link', REPO], root, env));
  const dir = join(root, template);
  await step(template, 'npm install --prefer-offline', run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], dir, env));
  // the linked packages are links into this repository, not copies
  expect(realpathSync(join(dir, 'node_modules', '@sdxl-trainer', 'core'))).toBe(join(REPO, 'packages', 'core'));
  return dir;
}

describe('the default template, installed', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scaffoldAndInstall('default');
  }, 240_000);

  it('passes its own npm test and type-checks', async () => {
    const test = await step('default', 'npm test (makes the tiny data and model)', run('npm', ['test'], dir, env));
    expect(test.stdout).toMatch(/1 passed/);
    expect(readdirSync(join(dir, '.cache')).sort()).toEqual(['data', 'sdxl-tiny-shapes']);
    await step('default', 'npm run typecheck', run('npm', ['run', 'typecheck'], dir, env));
  }, 120_000);

  it('trains: npm run train -- --max_train_steps 2 writes a diffusers folder', async () => {
    const train = await step('default', 'npm run train -- --max_train_steps 2', run('npm', ['run', 'train', '--', '--max_train_steps', '2'], dir, env));
    expect(train.stdout).toContain('training 2 steps');
    expect(train.stdout).toMatch(/finished 2 steps in .*; seed 42/);
    for (const component of ['model_index.json', 'unet', 'vae', 'text_encoder', 'text_encoder_2', 'tokenizer', 'tokenizer_2', 'scheduler']) {
      expect(existsSync(join(dir, 'output', component)), component).toBe(true);
    }
    expect(readdirSync(join(dir, 'output', 'validation', 'final')).sort()).toEqual(['0.png', '1.png']);
  }, 180_000);
});

describe('the minimal template, installed', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scaffoldAndInstall('minimal');
  }, 240_000);

  it('passes its own npm test, type-checks and trains', async () => {
    await step('minimal', 'npm test (trains 150 steps)', run('npm', ['test'], dir, env));
    await step('minimal', 'npm run typecheck', run('npm', ['run', 'typecheck'], dir, env));
    const train = await step('minimal', 'npm run train (400 steps)', run('npm', ['run', 'train'], dir, env));
    expect(train.stdout).toMatch(/finished 400 steps in .*; seed 42/);
    expect(existsSync(join(dir, 'output', 'tiny-denoiser.json'))).toBe(true);
  }, 180_000);
});

describe('the plugin template, installed', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scaffoldAndInstall('plugin');
  }, 240_000);

  it('passes its own npm test (the plugin in a real trainer), type-checks and builds', async () => {
    const test = await step('plugin', 'npm test', run('npm', ['test'], dir, env));
    expect(test.stdout).toMatch(/3 passed/);
    await step('plugin', 'npm run typecheck', run('npm', ['run', 'typecheck'], dir, env));
    await step('plugin', 'npm run build', run('npm', ['run', 'build'], dir, env));
    expect(readdirSync(join(dir, 'dist'))).toEqual(expect.arrayContaining(['index.js', 'index.d.ts', 'options.js']));
    expect(readdirSync(join(dir, 'dist')).some((file) => file.includes('.spec.'))).toBe(false);
  }, 120_000);
});
