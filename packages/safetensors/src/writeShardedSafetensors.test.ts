import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@sdxl-trainer/errors';
import { loadSafetensors } from './loadSafetensors.js';
import { SafetensorsReader } from './SafetensorsReader.js';
import type { TensorToWrite } from './TensorToWrite.js';
import { writeSafetensors } from './writeSafetensors.js';
import { writeShardedSafetensors } from './writeShardedSafetensors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'safetensors-sharded-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const filled = (n: number, value: number): Float32Array => new Float32Array(n).fill(value);

describe('writeShardedSafetensors', () => {
  it('splits in the given order at maxShardBytes and writes a huggingface index', async () => {
    const out = await mkdtemp(join(dir, 'model-'));
    const tensors: Record<string, TensorToWrite> = {
      'down.0.weight': { dtype: 'F32', shape: [10], data: filled(10, 1) }, // 40 bytes
      'down.1.weight': { dtype: 'F32', shape: [10], data: filled(10, 2) }, // 40 -> 80, fits in 100
      'mid.weight': { dtype: 'F16', shape: [20], data: filled(20, 3) }, // 40 -> 120 > 100: new shard
      'huge.weight': { dtype: 'F32', shape: [50], data: () => filled(50, 4) }, // 200 > 100 alone: its own shard
      'up.ids': { dtype: 'I64', shape: [2], data: BigInt64Array.of(5n, 6n) }, // 16: new shard after the huge one
    };
    const written = await writeShardedSafetensors(out, 'diffusion_pytorch_model', tensors, { maxShardBytes: 100, metadata: { format: 'pt' } });
    expect(written.map((path) => basename(path))).toEqual([
      'diffusion_pytorch_model-00001-of-00004.safetensors',
      'diffusion_pytorch_model-00002-of-00004.safetensors',
      'diffusion_pytorch_model-00003-of-00004.safetensors',
      'diffusion_pytorch_model-00004-of-00004.safetensors',
      'diffusion_pytorch_model.safetensors.index.json',
    ]);
    const indexText = await readFile(join(out, 'diffusion_pytorch_model.safetensors.index.json'), 'utf8');
    const shard = (i: number): string => `diffusion_pytorch_model-0000${i}-of-00004.safetensors`;
    const expected = {
      metadata: { total_size: 40 + 40 + 40 + 200 + 16 },
      weight_map: { 'down.0.weight': shard(1), 'down.1.weight': shard(1), 'huge.weight': shard(3), 'mid.weight': shard(2), 'up.ids': shard(4) },
    };
    expect(indexText).toBe(`${JSON.stringify(expected, null, 2)}\n`);
    expect(Object.keys(JSON.parse(indexText).weight_map)).toEqual(Object.keys(expected.weight_map));

    const reader = await SafetensorsReader.open(join(out, 'diffusion_pytorch_model.safetensors.index.json'));
    expect(reader.metadata).toEqual({ format: 'pt' });
    expect(reader.keys()).toEqual(['down.0.weight', 'down.1.weight', 'mid.weight', 'huge.weight', 'up.ids']);
    expect(reader.info('huge.weight').file).toBe(join(out, shard(3)));
    expect(await reader.readFloat32('mid.weight')).toEqual(filled(20, 3));
    expect(await reader.readInt32('up.ids')).toEqual(Int32Array.of(5, 6));
    await reader.close();
    const all = await loadSafetensors(join(out, 'diffusion_pytorch_model.safetensors.index.json'));
    expect(all['huge.weight']!.data).toEqual(filled(50, 4));
  });

  it('checks every tensor before writing any shard', async () => {
    const out = await mkdtemp(join(dir, 'bad-'));
    const tensors: Record<string, TensorToWrite> = {
      a: { dtype: 'F32', shape: [10], data: filled(10, 1) },
      b: { dtype: 'F32', shape: [10], data: filled(9, 1) },
    };
    await expect(writeShardedSafetensors(out, 'model', tensors, { maxShardBytes: 40 })).rejects.toMatchObject({
      code: ErrorCode.SAFETENSORS_INVALID,
      message: expect.stringContaining('"b"'),
    });
    await expect(writeShardedSafetensors(out, 'model', tensors, { maxShardBytes: 0 })).rejects.toMatchObject({ code: ErrorCode.SAFETENSORS_INVALID });
    expect(await readdir(out)).toEqual([]);
  });
});

describe('SafetensorsReader on a sharded index', () => {
  it('rejects an index that names a missing shard, a tensor its shard lacks, or a path outside its folder', async () => {
    const out = await mkdtemp(join(dir, 'index-'));
    await writeSafetensors(join(out, 'a.safetensors'), { x: { dtype: 'F32', shape: [1], data: filled(1, 1) } });
    const write = async (name: string, weightMap: Record<string, string>): Promise<string> => {
      const path = join(out, name);
      await writeFile(path, JSON.stringify({ metadata: { total_size: 4 }, weight_map: weightMap }));
      return path;
    };
    const missing = await write('missing.safetensors.index.json', { x: 'a.safetensors', y: 'b.safetensors' });
    await expect(SafetensorsReader.open(missing)).rejects.toMatchObject({
      code: ErrorCode.SAFETENSORS_INVALID,
      message: expect.stringMatching(/missing\.safetensors\.index\.json.*b\.safetensors.*does not exist/),
    });
    const absent = await write('absent.safetensors.index.json', { x: 'a.safetensors', y: 'a.safetensors' });
    await expect(SafetensorsReader.open(absent)).rejects.toMatchObject({
      code: ErrorCode.SAFETENSORS_INVALID,
      message: expect.stringContaining('tensor "y" in'),
    });
    const escape = await write('escape.safetensors.index.json', { x: '../a.safetensors' });
    await expect(SafetensorsReader.open(escape)).rejects.toMatchObject({ code: ErrorCode.SAFETENSORS_INVALID, message: expect.stringContaining('outside') });
    const broken = join(out, 'broken.safetensors.index.json');
    await writeFile(broken, '{"weight_map": ');
    await expect(SafetensorsReader.open(broken)).rejects.toMatchObject({ code: ErrorCode.SAFETENSORS_INVALID, message: expect.stringContaining('JSON') });
    const noMap = await write('nomap.safetensors.index.json', {});
    await writeFile(noMap, '{"metadata": {}}');
    await expect(SafetensorsReader.open(noMap)).rejects.toMatchObject({ code: ErrorCode.SAFETENSORS_INVALID, message: expect.stringContaining('weight_map') });
    await expect(SafetensorsReader.open(join(out, 'none.safetensors.index.json'))).rejects.toMatchObject({ code: ErrorCode.FILE_NOT_FOUND });
  });
});
