import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../packages/cli/bin/sdxl-train.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const version = (JSON.parse(readFileSync(new URL('../../packages/cli/package.json', import.meta.url), 'utf8')) as { version: string }).version;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawn the built CLI as a user would (not a TTY: stdout is a pipe). */
function run(args: string[], options: { env?: Record<string, string>; onStdout?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('sdxl-train', () => {
  it('--help prints the options and --version the version', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const option of ['--config <file>', '--log-interval <seconds>', '--verbose', '--quiet', '--help', '--version']) expect(help.stdout).toContain(option);
    const v = await run(['--version']);
    expect(v.stdout.trim()).toBe(version);
  });

  it('rejects an unknown flag with a suggestion, and a missing --config', async () => {
    const unknown = await run(['--confg', 'x.ts']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown option --confg; did you mean --config?');
    const missing = await run([]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nothing to train: pass --config <file>, or the flags of train_text_to_image_sdxl.py');
    const badValue = await run(['--train_batch_size', 'four', '--pretrained_model_name_or_path', 'x', '--train_data_dir', 'y']);
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toContain('--train_batch_size "four": expected an integer');
    const typo = await run(['--learning_rat', '1e-5']);
    expect(typo.stderr).toContain('unknown option --learning_rat; did you mean --learning_rate?');
  });

  it('exits 2 with one line per problem for a bad config', async () => {
    const result = await run(['--config', fixture('bad.config.mjs')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error CONFIG_INVALID');
    expect(result.stderr).toContain('bad.config.mjs: trainBatchSize (--train_batch_size): got 0; expected a positive integer');
    expect(result.stderr).toContain('unknown option "lr_scheduler"; did you mean "lrScheduler"?');
    const notFound = await run(['--config', fixture('nope.config.ts')]);
    expect(notFound.code).toBe(2);
    expect(notFound.stderr).toContain('config file not found');
  });

  it('trains from a config file and prints plain progress lines when the output is not a terminal', async () => {
    const result = await run(['--config', fixture('toy.config.ts'), '--log-interval', '3600'], { env: { TOY_STEPS: '12' } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/backend cpu/);
    // first and last step always print; the interval suppresses the rest
    expect(result.stdout).toMatch(/^step 1\/12 \(8%\) epoch 1 loss \d+\.\d{4} lr 0\.0100 \d+\.\d\d steps\/s elapsed \d+:\d\d ETA \d+:\d\d$/m);
    expect(result.stdout).toMatch(/^step 12\/12 \(100%\)/m);
    expect(result.stdout).not.toMatch(/^step 6\/12/m);
    expect(result.stdout).toMatch(/finished 12 steps in \d+\.\d s; last loss \d+\.\d{4}; seed 3/);
    expect(result.stdout).not.toContain('\x1b[');
  });

  it('stops after the current step on Ctrl-C and says so', async () => {
    let sent = false;
    const result = await run(['--config', fixture('slow-steps.config.ts'), '--log-interval', '0.001'], {
      onStdout(text, child) {
        if (!sent && /^step 3\//m.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(result.code).toBe(130);
    expect(result.stdout).toContain('Ctrl-C: stopping after the current step');
    const stoppedAt = Number(/stopped at step (\d+) \(interrupted \(Ctrl-C\)\)/.exec(result.stdout)?.[1]);
    expect(stoppedAt).toBeGreaterThanOrEqual(3);
    expect(stoppedAt).toBeLessThan(400);
  });
});
