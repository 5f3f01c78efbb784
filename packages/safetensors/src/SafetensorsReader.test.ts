import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@sdxl-trainer/errors';
import { SafetensorsReader } from './SafetensorsReader.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'safetensors-reader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Builds a file by hand: 8-byte LE length, the header text as given, then `data`. */
async function handMade(name: string, header: string | Uint8Array, data: Uint8Array = new Uint8Array(0), declaredLength?: bigint): Promise<string> {
  const headerBytes = typeof header === 'string' ? Buffer.from(header, 'utf8') : header;
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(declaredLength ?? BigInt(headerBytes.length));
  const path = join(dir, name);
  await writeFile(path, Buffer.concat([prefix, headerBytes, data]));
  return path;
}

async function openError(path: string): Promise<{ code: string; message: string }> {
  try {
    const reader = await SafetensorsReader.open(path);
    await reader.close();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error(`expected opening ${path} to fail`);
}

describe('SafetensorsReader on hand-made files', () => {
  it('reads every dtype from a file built byte by byte', async () => {
    const data = Buffer.alloc(8 + 8 + 4 + 2 + 2 + 2 + 1 + 1 + 1 + 4);
    let o = 0;
    o = data.writeDoubleLE(-2.5, o);
    o = data.writeBigInt64LE(-(2n ** 40n), o);
    o = data.writeFloatLE(0.75, o);
    o = data.writeUInt16LE(0x3c00, o); // F16 1.0
    o = data.writeUInt16LE(0xc040, o); // BF16 -3.0
    o = data.writeInt16LE(-300, o);
    o = data.writeInt8(-5, o);
    o = data.writeUInt8(200, o);
    o = data.writeUInt8(1, o);
    data.writeInt32LE(-7, o);
    const header = JSON.stringify({
      __metadata__: { format: 'pt', note: 'hand made' },
      f64: { dtype: 'F64', shape: [], data_offsets: [0, 8] },
      i64: { dtype: 'I64', shape: [1], data_offsets: [8, 16] },
      f32: { dtype: 'F32', shape: [1, 1], data_offsets: [16, 20] },
      f16: { dtype: 'F16', shape: [1], data_offsets: [20, 22] },
      bf16: { dtype: 'BF16', shape: [1], data_offsets: [22, 24] },
      i16: { dtype: 'I16', shape: [1], data_offsets: [24, 26] },
      i8: { dtype: 'I8', shape: [1], data_offsets: [26, 27] },
      u8: { dtype: 'U8', shape: [1], data_offsets: [27, 28] },
      bool: { dtype: 'BOOL', shape: [1], data_offsets: [28, 29] },
      i32: { dtype: 'I32', shape: [1], data_offsets: [29, 33] },
      empty: { dtype: 'F32', shape: [0, 3], data_offsets: [16, 16] },
    });
    const path = await handMade('all-dtypes.safetensors', header, data);
    const reader = await SafetensorsReader.open(path);
    try {
      expect(reader.metadata).toEqual({ format: 'pt', note: 'hand made' });
      expect(reader.keys()).toHaveLength(11);
      expect(reader.info('f32')).toMatchObject({ dtype: 'F32', shape: [1, 1], byteOffset: 8 + Buffer.byteLength(header) + 16, byteLength: 4 });
      expect(await reader.read('f64')).toEqual({ dtype: 'F64', shape: [], data: Float64Array.of(-2.5) });
      expect(await reader.read('i64')).toEqual({ dtype: 'I64', shape: [1], data: BigInt64Array.of(-(2n ** 40n)) });
      expect(await reader.read('f16')).toEqual({ dtype: 'F16', shape: [1], data: Float32Array.of(1) });
      expect(await reader.read('bf16')).toEqual({ dtype: 'BF16', shape: [1], data: Float32Array.of(-3) });
      expect((await reader.read('i16')).data).toEqual(Int16Array.of(-300));
      expect((await reader.read('i8')).data).toEqual(Int8Array.of(-5));
      expect((await reader.read('u8')).data).toEqual(Uint8Array.of(200));
      expect((await reader.read('bool')).data).toEqual(Uint8Array.of(1));
      expect((await reader.read('i32')).data).toEqual(Int32Array.of(-7));
      expect((await reader.read('empty')).data).toEqual(new Float32Array(0));
      expect(await reader.readFloat32('i16')).toEqual(Float32Array.of(-300));
      expect(await reader.readFloat32('f64')).toEqual(Float32Array.of(-2.5));
      expect(await reader.readFloat32('i64')).toEqual(Float32Array.of(-(2 ** 40)));
      expect(await reader.readInt32('u8')).toEqual(Int32Array.of(200));
      expect(await reader.readInt32('bool')).toEqual(Int32Array.of(1));
      await expect(reader.readInt32('i64')).rejects.toMatchObject({ code: ErrorCode.SAFETENSORS_INVALID, message: expect.stringContaining('"i64"') });
      await expect(reader.readInt32('f32')).rejects.toMatchObject({ code: ErrorCode.SAFETENSORS_UNSUPPORTED_DTYPE });
      expect(() => reader.info('nope')).toThrow(expect.objectContaining({ code: ErrorCode.SAFETENSORS_TENSOR_NOT_FOUND }));
      expect(reader.has('nope')).toBe(false);
      await expect(reader.read('nope')).rejects.toMatchObject({ code: ErrorCode.SAFETENSORS_TENSOR_NOT_FOUND, message: expect.stringContaining(path) });
    } finally {
      await reader.close();
    }
    await expect(reader.read('f32')).rejects.toMatchObject({ message: expect.stringContaining('closed') });
    await reader.close();
  });

  it('rejects an absurd header length before allocating it', async () => {
    const huge = await handMade('huge.safetensors', '{}', undefined, 2n ** 63n);
    const error = await openError(huge);
    expect(error).toMatchObject({ code: ErrorCode.SAFETENSORS_INVALID, message: expect.stringContaining('100000000') });
    expect(error.message).toContain(huge);
    // Under the 100 MB cap but past the end of the file.
    const past = await handMade('past.safetensors', '{}', undefined, 50_000_000n);
    expect(await openError(past)).toMatchObject({ code: ErrorCode.SAFETENSORS_INVALID, message: expect.stringContaining('larger than the 2 bytes') });
  });

  it('names the file and problem for every malformed header', async () => {
    const f32 = (offsets: [number, number], shape: unknown = [2]): unknown => ({ dtype: 'F32', shape, data_offsets: offsets });
    const eight = new Uint8Array(8);
    const cases: [string, string | Uint8Array, Uint8Array, string, string][] = [
      ['short', '', new Uint8Array(0), ErrorCode.SAFETENSORS_INVALID, 'not valid JSON'],
      ['not-json', '{"a": ', eight, ErrorCode.SAFETENSORS_INVALID, 'not valid JSON'],
      ['not-utf8', Uint8Array.of(0x7b, 0xff, 0x7d), eight, ErrorCode.SAFETENSORS_INVALID, 'UTF-8'],
      ['array', '[]', eight, ErrorCode.SAFETENSORS_INVALID, 'JSON object'],
      ['dtype', JSON.stringify({ t: { dtype: 'F8_E4M3', shape: [8], data_offsets: [0, 8] } }), eight, ErrorCode.SAFETENSORS_UNSUPPORTED_DTYPE, 'F8_E4M3'],
      ['neg-shape', JSON.stringify({ t: f32([0, 8], [-2]) }), eight, ErrorCode.SAFETENSORS_INVALID, 'shape'],
      ['frac-shape', JSON.stringify({ t: f32([0, 8], [1.5]) }), eight, ErrorCode.SAFETENSORS_INVALID, 'shape'],
      ['str-shape', JSON.stringify({ t: f32([0, 8], ['2']) }), eight, ErrorCode.SAFETENSORS_INVALID, 'shape'],
      ['offsets', JSON.stringify({ t: { dtype: 'F32', shape: [2], data_offsets: [0] } }), eight, ErrorCode.SAFETENSORS_INVALID, 'data_offsets'],
      ['outside', JSON.stringify({ t: f32([4, 12]) }), eight, ErrorCode.SAFETENSORS_INVALID, 'outside the data section of 8 bytes'],
      ['reversed', JSON.stringify({ t: f32([8, 0]) }), eight, ErrorCode.SAFETENSORS_INVALID, 'outside'],
      ['length', JSON.stringify({ t: f32([0, 4]) }), eight, ErrorCode.SAFETENSORS_INVALID, 'spans 4 bytes; its shape and dtype need 8'],
      ['overlap', JSON.stringify({ a: f32([0, 8]), b: f32([4, 12]) }), new Uint8Array(12), ErrorCode.SAFETENSORS_INVALID, 'overlap'],
      ['contained', JSON.stringify({ a: f32([0, 16], [4]), z: f32([0, 0], [0]), b: f32([4, 12]) }), new Uint8Array(16), ErrorCode.SAFETENSORS_INVALID, 'overlap'],
      ['metadata', JSON.stringify({ __metadata__: { n: 3 } }), eight, ErrorCode.SAFETENSORS_INVALID, 'metadata values must be strings'],
      ['entry', JSON.stringify({ t: 3 }), eight, ErrorCode.SAFETENSORS_INVALID, 'must be an object'],
    ];
    for (const [name, header, data, code, text] of cases) {
      const path = await handMade(`${name}.safetensors`, header, data);
      const error = await openError(path);
      expect(error, name).toMatchObject({ code, message: expect.stringContaining(text) });
      expect(error.message, name).toContain(path);
    }
    const tiny = join(dir, 'tiny.safetensors');
    await writeFile(tiny, Uint8Array.of(1, 2, 3));
    expect(await openError(tiny)).toMatchObject({ code: ErrorCode.SAFETENSORS_INVALID, message: expect.stringContaining('too short') });
    expect(await openError(join(dir, 'missing.safetensors'))).toMatchObject({ code: ErrorCode.FILE_NOT_FOUND });
  });

  it('accepts empty tensors anywhere and adjacent tensors', async () => {
    const header = JSON.stringify({
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      z: { dtype: 'F32', shape: [0], data_offsets: [4, 4] },
      b: { dtype: 'I8', shape: [2, 2], data_offsets: [8, 12] },
    });
    const path = await handMade('adjacent.safetensors', header, Uint8Array.of(0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 1, 2, 3, 4));
    const reader = await SafetensorsReader.open(path);
    expect(reader.keys()).toEqual(['a', 'z', 'b']);
    expect(await reader.readFloat32('a')).toEqual(Float32Array.of(1, 2));
    expect(await reader.readInt32('b')).toEqual(Int32Array.of(1, 2, 3, 4));
    await reader.close();
  });
});
