import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { folderFingerprint } from './folderFingerprint.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('folderFingerprint (cache identity of a local model folder)', () => {
  it('hashes small files whole and changes when a model is rebuilt in the same folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fingerprint-'));
    dirs.push(dir);
    await writeFile(join(dir, 'config.json'), '{"a":1}');
    await writeFile(join(dir, 'diffusion_pytorch_model.safetensors'), Buffer.from([1, 2, 3]));
    const before = await folderFingerprint(dir);
    expect(before['config.json']).toBe(`sha256:${createHash('sha256').update('{"a":1}').digest('hex')}`);
    await writeFile(join(dir, 'diffusion_pytorch_model.safetensors'), Buffer.from([1, 2, 4]));
    const after = await folderFingerprint(dir);
    expect(after['config.json']).toBe(before['config.json']);
    expect(after['diffusion_pytorch_model.safetensors']).not.toBe(before['diffusion_pytorch_model.safetensors']);
  });

  it('takes size and modification time of files over 8 MiB instead of reading them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fingerprint-big-'));
    dirs.push(dir);
    const big = join(dir, 'model.safetensors');
    await writeFile(big, Buffer.alloc(8 * 2 ** 20 + 1));
    await utimes(big, 1_700_000_000, 1_700_000_000);
    expect((await folderFingerprint(dir))['model.safetensors']).toBe(`size:${8 * 2 ** 20 + 1},mtime:1700000000000`);
  });
});
