import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@sdxl-trainer/errors';
import type { TensorArray } from './dtype.js';
import { loadSafetensors } from './loadSafetensors.js';
import type { TensorToWrite } from './TensorToWrite.js';
import { writeSafetensors } from './writeSafetensors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'safetensors-writer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function bytesOf(array: TensorArray): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

describe('writeSafetensors', () => {
  it('lays out the header by hand-checkable rules', async () => {
    const path = join(dir, 'layout.safetensors');
    await writeSafetensors(
      path,
      {
        'b.weight': { dtype: 'F32', shape: [2], data: Float32Array.of(1, -2) },
        ids: { dtype: 'I64', shape: [1], data: BigInt64Array.of(7n) },
        'a.weight': { dtype: 'F32', shape: [1, 1], data: Float32Array.of(0.5) },
        half: { dtype: 'F16', shape: [1], data: Float32Array.of(1) },
        flag: { dtype: 'U8', shape: [3], data: Uint8Array.of(1, 2, 3) },
      },
      { format: 'pt' },
    );
    const file = await readFile(path);
    const headerLength = Number(file.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    const expectedJson =
      '{"__metadata__":{"format":"pt"},' +
      '"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},' +
      '"a.weight":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]},' +
      '"b.weight":{"dtype":"F32","shape":[2],"data_offsets":[12,20]},' +
      '"half":{"dtype":"F16","shape":[1],"data_offsets":[20,22]},' +
      '"flag":{"dtype":"U8","shape":[3],"data_offsets":[22,25]}}';
    expect(headerLength).toBe(Math.ceil(expectedJson.length / 8) * 8);
    expect(file.subarray(8, 8 + headerLength).toString('latin1')).toBe(expectedJson.padEnd(headerLength, ' '));
    const data = file.subarray(8 + headerLength);
    expect(data.length).toBe(25);
    expect(data.readBigInt64LE(0)).toBe(7n);
    expect([data.readFloatLE(8), data.readFloatLE(12), data.readFloatLE(16)]).toEqual([0.5, 1, -2]);
    expect(data.readUInt16LE(20)).toBe(0x3c00);
    expect([...data.subarray(22)]).toEqual([1, 2, 3]);
  });

  it('round-trips every dtype to identical bytes and values', async () => {
    const random = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 7);
    const tensors: Record<string, TensorToWrite & { data: TensorArray }> = {
      f64: { dtype: 'F64', shape: [3, 2], data: Float64Array.of(Math.PI, -Math.E, 1e-300, 1e300, -0, Infinity) },
      f32: { dtype: 'F32', shape: [4, 5], data: random(20) },
      i64: { dtype: 'I64', shape: [3], data: BigInt64Array.of(-(2n ** 62n), 0n, 2n ** 62n) },
      i32: { dtype: 'I32', shape: [2], data: Int32Array.of(-(2 ** 31), 2 ** 31 - 1) },
      i16: { dtype: 'I16', shape: [2], data: Int16Array.of(-32768, 32767) },
      i8: { dtype: 'I8', shape: [2], data: Int8Array.of(-128, 127) },
      u8: { dtype: 'U8', shape: [2], data: Uint8Array.of(0, 255) },
      bool: { dtype: 'BOOL', shape: [3], data: Uint8Array.of(1, 0, 1) },
      scalar: { dtype: 'F32', shape: [], data: Float32Array.of(3) },
      empty: { dtype: 'I32', shape: [2, 0], data: new Int32Array(0) },
    };
    const path = join(dir, 'round-trip.safetensors');
    await writeSafetensors(path, tensors);
    const back = await loadSafetensors(path);
    expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, tensor] of Object.entries(tensors)) {
      expect(back[name]!.dtype).toBe(tensor.dtype);
      expect(back[name]!.shape).toEqual(tensor.shape);
      expect(bytesOf(back[name]!.data).equals(bytesOf(tensor.data)), name).toBe(true);
    }
    // F16/BF16 store the rounded value; writing what was read back gives identical bytes again.
    const halves = { h: { dtype: 'F16', shape: [20], data: random(20) }, b: { dtype: 'BF16', shape: [20], data: random(20) } } as const;
    const halfPath = join(dir, 'halves.safetensors');
    await writeSafetensors(halfPath, halves);
    const first = await readFile(halfPath);
    const decoded = await loadSafetensors(halfPath);
    await writeSafetensors(halfPath, decoded);
    expect((await readFile(halfPath)).equals(first)).toBe(true);
    for (const name of ['h', 'b'] as const) {
      const original = halves[name].data;
      const stored = decoded[name]!.data as Float32Array;
      for (let i = 0; i < original.length; i++) expect(Math.abs(stored[i]! - original[i]!)).toBeLessThanOrEqual(Math.abs(original[i]!) * (name === 'h' ? 2 ** -11 : 2 ** -8));
    }
  });

  it('checks arrays given up front before creating any file', async () => {
    const path = join(dir, 'never.safetensors');
    const bad: [Record<string, TensorToWrite>, string, string][] = [
      [{ t: { dtype: 'F32', shape: [3], data: Float32Array.of(1, 2) } }, ErrorCode.SAFETENSORS_INVALID, '(3 elements) but its data holds 2'],
      [{ t: { dtype: 'I64', shape: [1], data: Int32Array.of(1) } }, ErrorCode.SAFETENSORS_INVALID, 'needs its data as a BigInt64Array, got Int32Array'],
      [{ t: { dtype: 'F16', shape: [1], data: Uint8Array.of(1) } }, ErrorCode.SAFETENSORS_INVALID, 'Float32Array'],
      [{ t: { dtype: 'BOOL', shape: [1], data: Uint8Array.of(2) } }, ErrorCode.SAFETENSORS_INVALID, 'expected 0 or 1'],
      [{ t: { dtype: 'U16' as 'U8', shape: [1], data: Uint8Array.of(2) } }, ErrorCode.SAFETENSORS_UNSUPPORTED_DTYPE, 'U16'],
      [{ t: { dtype: 'F32', shape: [-1], data: Float32Array.of(1) } }, ErrorCode.SAFETENSORS_INVALID, 'shape'],
      [{ __metadata__: { dtype: 'F32', shape: [1], data: Float32Array.of(1) } }, ErrorCode.SAFETENSORS_INVALID, 'reserved'],
    ];
    for (const [tensors, code, text] of bad) {
      await expect(writeSafetensors(path, tensors)).rejects.toMatchObject({ code, message: expect.stringContaining(text) });
    }
    await expect(writeSafetensors(path, {}, { n: 1 as unknown as string })).rejects.toMatchObject({ code: ErrorCode.SAFETENSORS_INVALID });
    expect(await readdir(dir)).not.toContain('never.safetensors');
  });

  it('leaves the previous file intact and no temporary file when a write fails midway', async () => {
    const sub = await mkdtemp(join(dir, 'atomic-'));
    const path = join(sub, 'model.safetensors');
    await writeSafetensors(path, { keep: { dtype: 'F32', shape: [2], data: Float32Array.of(4, 5) } });
    const before = await readFile(path);
    let started = 0;
    const big = new Float32Array(1 << 18).fill(1.5);
    const lateWrongLength: Record<string, TensorToWrite> = {
      a: { dtype: 'F32', shape: [1 << 18], data: () => (started++, big) },
      z: { dtype: 'F32', shape: [4], data: async () => Float32Array.of(1, 2, 3) },
    };
    await expect(writeSafetensors(path, lateWrongLength)).rejects.toMatchObject({
      code: ErrorCode.SAFETENSORS_INVALID,
      message: expect.stringContaining('"z"'),
    });
    expect(started).toBe(1); // the first tensor really was written before the failure
    const rejected: Record<string, TensorToWrite> = {
      a: { dtype: 'F32', shape: [1 << 18], data: big },
      z: { dtype: 'F32', shape: [1], data: () => Promise.reject(new Error('source went away')) },
    };
    await expect(writeSafetensors(path, rejected)).rejects.toThrow('source went away');
    expect((await readFile(path)).equals(before)).toBe(true);
    expect(await readdir(sub)).toEqual(['model.safetensors']);
  });

  it('replaces an existing file on success', async () => {
    const path = join(dir, 'replace.safetensors');
    await writeFile(path, 'old content');
    await writeSafetensors(path, { t: { dtype: 'I8', shape: [1], data: async () => Int8Array.of(9) }, b: { dtype: 'U8', shape: [2], data: Buffer.from([7, 8]) } });
    const back = await loadSafetensors(path);
    expect(back.t!.data).toEqual(Int8Array.of(9));
    expect([...back.b!.data]).toEqual([7, 8]);
    await expect(writeSafetensors(path, { d: { dtype: 'F32', shape: [1], data: new DataView(new ArrayBuffer(4)) as unknown as Float32Array } })).rejects.toMatchObject({
      message: expect.stringContaining('got DataView'),
    });
  });
});
