import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import type { HostTensor } from '@sdxl-trainer/core';

/** Tensors and metadata stored under one cache key. */
export interface CacheEntry {
  readonly tensors: Readonly<Record<string, HostTensor>>;
  readonly meta: Readonly<Record<string, unknown>>;
}

/** What reading an entry found. */
export type CacheRead = { readonly status: 'hit'; readonly entry: CacheEntry; readonly bytes: number } | { readonly status: 'miss' } | { readonly status: 'corrupt'; readonly reason: string };

interface Header {
  readonly key: string;
  readonly tensors: readonly { readonly name: string; readonly shape: readonly number[] }[];
  readonly meta: Record<string, unknown>;
}

// Layout: "SDXLCE01" | u32 LE header length | u32 LE CRC-32 of (header + payload) | header JSON | float32 LE payload.
const MAGIC = Buffer.from('SDXLCE01', 'latin1');
const PREFIX = MAGIC.length + 8;

/**
 * Write an entry atomically: to a temporary file beside it, then rename, so a reader never sees half an entry
 * (a crash leaves at most a stray `*.tmp`). Returns the bytes written.
 */
export async function writeCacheEntry(path: string, key: string, entry: CacheEntry): Promise<number> {
  const names = Object.keys(entry.tensors);
  const header: Header = { key, tensors: names.map((name) => ({ name, shape: [...entry.tensors[name]!.shape] })), meta: { ...entry.meta } };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const payload = names.map((name) => {
    const data = entry.tensors[name]!.data;
    if (!(data instanceof Float32Array)) throw new TypeError(`cache entries hold float32 tensors; "${name}" is ${data.constructor.name}`);
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  });
  const prefix = Buffer.alloc(PREFIX);
  MAGIC.copy(prefix);
  prefix.writeUInt32LE(headerBytes.length, MAGIC.length);
  prefix.writeUInt32LE(payload.reduce((crc, part) => crc32(part, crc), crc32(headerBytes)), MAGIC.length + 4);
  const file = Buffer.concat([prefix, headerBytes, ...payload]);
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, file);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return file.length;
}

/** Read and verify an entry: magic, sizes, CRC-32 over header and payload, and that it belongs to `key`. */
export async function readCacheEntry(path: string, key: string): Promise<CacheRead> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'miss' };
    throw error;
  }
  if (file.length < PREFIX || !file.subarray(0, MAGIC.length).equals(MAGIC)) return { status: 'corrupt', reason: 'not a cache entry (bad magic)' };
  const headerLength = file.readUInt32LE(MAGIC.length);
  if (PREFIX + headerLength > file.length) return { status: 'corrupt', reason: `truncated: ${file.length} bytes, header alone needs ${PREFIX + headerLength}` };
  const stored = file.readUInt32LE(MAGIC.length + 4);
  if (crc32(file.subarray(PREFIX)) !== stored) return { status: 'corrupt', reason: 'checksum mismatch (damaged or truncated)' };
  let header: Header;
  try {
    header = JSON.parse(file.subarray(PREFIX, PREFIX + headerLength).toString('utf8')) as Header;
  } catch {
    return { status: 'corrupt', reason: 'unreadable header' };
  }
  if (header.key !== key) return { status: 'corrupt', reason: `holds key ${String(header.key).slice(0, 12)}…, not ${key.slice(0, 12)}…` };
  const payload = file.subarray(PREFIX + headerLength);
  const expected = header.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (payload.length !== expected) return { status: 'corrupt', reason: `payload is ${payload.length} bytes, the header describes ${expected}` };
  // why: copy into fresh, aligned Float32Arrays (the Buffer may sit at any offset of a shared pool).
  const floats = new Float32Array(payload.length / 4);
  new Uint8Array(floats.buffer).set(payload);
  const tensors: Record<string, HostTensor> = {};
  let offset = 0;
  for (const t of header.tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    tensors[t.name] = { data: floats.subarray(offset, offset + size), shape: [...t.shape] };
    offset += size;
  }
  return { status: 'hit', entry: { tensors, meta: header.meta }, bytes: file.length };
}
