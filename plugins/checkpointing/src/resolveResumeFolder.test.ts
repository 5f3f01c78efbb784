import { ErrorCode } from '@sdxl-trainer/errors';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveResumeFolder } from './resolveResumeFolder.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ckpt-resume-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveResumeFolder', () => {
  it('"latest" is the highest-numbered checkpoint, or nothing when there is none', async () => {
    expect(await resolveResumeFolder('latest', dir)).toBeUndefined();
    expect(await resolveResumeFolder('latest', join(dir, 'missing'))).toBeUndefined();
    for (const step of [9, 10, 2]) await mkdir(join(dir, `checkpoint-${step}`));
    await mkdir(join(dir, 'checkpoint-11.tmp-0a0b0c'));
    expect(await resolveResumeFolder('latest', dir)).toBe(join(dir, 'checkpoint-10'));
  });

  it('a folder name is looked up in outputDir; a path is used as given, absolute or relative', async () => {
    await mkdir(join(dir, 'out', 'checkpoint-3'), { recursive: true });
    await mkdir(join(dir, 'elsewhere', 'checkpoint-7'), { recursive: true });
    const out = join(dir, 'out');
    expect(await resolveResumeFolder('checkpoint-3', out)).toBe(join(out, 'checkpoint-3'));
    expect(await resolveResumeFolder(join(dir, 'elsewhere', 'checkpoint-7'), out)).toBe(join(dir, 'elsewhere', 'checkpoint-7'));
    expect(await resolveResumeFolder(relative(process.cwd(), join(dir, 'elsewhere', 'checkpoint-7')), out)).toBe(join(dir, 'elsewhere', 'checkpoint-7'));
    // the script's rule: a path that is not there falls back to its basename in outputDir
    expect(await resolveResumeFolder('/nowhere/checkpoint-3', out)).toBe(join(out, 'checkpoint-3'));
  });

  it('a named checkpoint that does not exist is an error listing what exists', async () => {
    await mkdir(join(dir, 'checkpoint-3'));
    const failure = resolveResumeFolder('checkpoint-99', dir);
    await expect(failure).rejects.toMatchObject({ code: ErrorCode.CHECKPOINT_NOT_FOUND });
    await expect(failure).rejects.toThrow(`no checkpoint folder at ${join(dir, 'checkpoint-99')}; checkpoints in ${dir}: checkpoint-3`);
  });
});
