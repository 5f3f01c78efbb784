import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.js';

/** Runs `sdxl-train <argv>` in-process and collects what it writes. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (t: string) => void (stdout += t), isTTY: false, columns: 100, now: () => 0 },
    stderr: { write: (t: string) => void (stderr += t) },
    onInterrupt: () => () => undefined,
  });
  return { code, stdout, stderr };
}

const made: string[] = [];
const tmp = (): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdxl-cli-backend-'));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('sdxl-train backend', () => {
  it('--help prints both commands; no command or an unknown one is a usage error (exit 2)', async () => {
    const help = await run(['backend', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('sdxl-train backend link tensorflow [--from <python env | libtensorflow folder | wheel>] [--gpu] [--force]');
    expect(help.stdout).toContain('sdxl-train backend info');
    expect((await run(['backend'])).code).toBe(2);
    const other = await run(['backend', 'link', 'pytorch']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('only `link tensorflow` exists');
    const flag = await run(['backend', 'info', '--frm', 'x']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--frm'");
  });

  it('info says what initBackend chose and lists the linked builds', async () => {
    const dir = tmp();
    const result = await run(['backend', 'info', '--backend', 'cpu', '--cache-dir', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'backend: cpu (pure JS, 1 thread) as requested\nthreads: 1\nreplaced kernels: ResizeNearestNeighborGrad, Conv2DBackpropFilter\n' +
        `linked builds: none in ${dir} (sdxl-train backend link tensorflow --from …)\n`,
    );
    const bad = await run(['backend', 'info', '--threads', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error CONFIG_INVALID: --threads must be a positive integer, got "0"');
  });

  it('link reports a bad --from with its code and exits 1', async () => {
    const missing = path.join(tmp(), 'no-venv');
    const result = await run(['backend', 'link', 'tensorflow', '--from', missing, '--cache-dir', tmp()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error BACKEND_LINK_SOURCE_INVALID: --from ${missing} does not exist`);
  });
});
