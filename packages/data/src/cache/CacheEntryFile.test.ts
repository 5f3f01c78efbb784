import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../testing/tempDirs.js';
import { readCacheEntry, writeCacheEntry, type CacheEntry } from './CacheEntryFile.js';
import { latentCacheKey, textCacheKey } from './cacheKeys.js';

afterAll(removeTempDirs);

const entry: CacheEntry = {
  tensors: {
    promptEmbeds: { data: Float32Array.from({ length: 77 * 3 }, (_, i) => i / 7 - 5), shape: [77, 3] },
    pooled: { data: Float32Array.from([1.5, -2.25]), shape: [2] },
  },
  meta: { caption: 'a cat', cropTopLeft: [3, 4] },
};

async function written(): Promise<{ path: string; key: string; size: number }> {
  const path = join(await tempDir(), 'ab', 'key.bin');
  const size = await writeCacheEntry(path, 'k1', entry);
  return { path, key: 'k1', size };
}

describe('cache entry files', () => {
  it('round-trips tensors and metadata, and leaves no temporary file', async () => {
    const { path, key, size } = await written();
    const read = await readCacheEntry(path, key);
    expect(read.status).toBe('hit');
    if (read.status !== 'hit') return;
    expect(read.bytes).toBe(size);
    expect(read.entry.meta).toEqual(entry.meta);
    expect(read.entry.tensors['promptEmbeds']!.shape).toEqual([77, 3]);
    expect([...read.entry.tensors['promptEmbeds']!.data]).toEqual([...entry.tensors['promptEmbeds']!.data]);
    expect([...read.entry.tensors['pooled']!.data]).toEqual([1.5, -2.25]);
    expect(await readdir(dirname(path))).toEqual(['key.bin']);
  });

  it('reports a missing entry as a miss', async () => {
    expect(await readCacheEntry(join(await tempDir(), 'none.bin'), 'k')).toEqual({ status: 'miss' });
  });

  it('detects truncation at any length', async () => {
    const { path, key, size } = await written();
    const bytes = await readFile(path);
    for (const length of [0, 5, 16, 40, size - 300, size - 1]) {
      await writeFile(path, bytes.subarray(0, length));
      expect((await readCacheEntry(path, key)).status, `truncated to ${length}`).toBe('corrupt');
    }
  });

  it('detects a flipped bit in the header, the metadata or the payload', async () => {
    const { path, key, size } = await written();
    const bytes = await readFile(path);
    for (const at of [3, 10, 14, 30, 60, 120, size - 200, size - 1]) {
      const damaged = Buffer.from(bytes);
      damaged[at]! ^= 0x10;
      await writeFile(path, damaged);
      expect((await readCacheEntry(path, key)).status, `byte ${at}`).toBe('corrupt');
    }
  });

  it('refuses an entry written for another key', async () => {
    const { path } = await written();
    expect(await readCacheEntry(path, 'k2')).toMatchObject({ status: 'corrupt', reason: expect.stringMatching(/holds key/) });
  });
});

describe('cache keys', () => {
  const base = { encoderId: 'vae@1', imageSha256: 'ab'.repeat(32), resolution: 1024, interpolation: 'lanczos', resampler: 'sharp', cropTopLeft: [0, 12], flip: false } as const;

  it('change with every setting that changes the pixels or the model', () => {
    const key = latentCacheKey(base);
    const changes = [
      { encoderId: 'vae@2' },
      { imageSha256: 'cd'.repeat(32) },
      { resolution: 512 },
      { interpolation: 'bicubic' as const },
      { resampler: 'pil' as const },
      { cropTopLeft: [1, 12] as const },
      { cropTopLeft: [0, 13] as const },
      { flip: true },
    ];
    const keys = changes.map((change) => latentCacheKey({ ...base, ...change }));
    expect(new Set([key, ...keys]).size).toBe(changes.length + 1);
    expect(latentCacheKey({ ...base })).toBe(key);
    expect(textCacheKey('te@1', 'a cat')).toBe(textCacheKey('te@1', 'a cat'));
    expect(new Set([textCacheKey('te@1', 'a cat'), textCacheKey('te@2', 'a cat'), textCacheKey('te@1', 'a cat '), textCacheKey('te@1', 'A cat')]).size).toBe(4);
  });
});
