import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isSdxlError } from '@sdxl-trainer/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { hfParquet, otherParquet, type FixtureRow } from '../testing/parquet.js';
import { removeTempDirs, tempDir } from '../testing/tempDirs.js';
import { ParquetImageSource, type ParquetSourceOptions } from './ParquetImageSource.js';

afterAll(removeTempDirs);

const bytes = (i: number): Uint8Array => Uint8Array.from([0xff, 0xd8, i, i + 1, i + 2]);
const rows = (n: number, from = 0): FixtureRow[] => Array.from({ length: n }, (_, i) => ({ image: bytes(from + i), path: `${from + i}.jpg`, text: `caption ${from + i}` }));
const options: ParquetSourceOptions = { imageColumn: 'image', captionColumn: 'text', label: 'org/ds' };

async function files(...contents: Uint8Array[]): Promise<{ path: string; name: string }[]> {
  const dir = await tempDir();
  return Promise.all(
    contents.map(async (content, i) => {
      const name = `data/train-0000${i}-of-0000${contents.length}.parquet`;
      const path = join(dir, `shard${i}.parquet`);
      await writeFile(path, content);
      return { path, name };
    }),
  );
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (isSdxlError(error)) return { code: error.code, message: error.message, details: (error.details ?? {}) as Record<string, unknown> };
    throw error;
  }
  throw new Error('expected an SdxlError');
}

describe('ParquetImageSource', () => {
  it('reads image bytes and captions across shards and row groups, in order', async () => {
    const source = await ParquetImageSource.open(await files(hfParquet(rows(7), { rowGroupSize: 3 }), hfParquet(rows(4, 7), { rowGroupSize: 2 })), options);
    expect(source.size).toBe(11);
    expect(source.columns).toEqual(['image', 'text']);
    for (const i of [10, 0, 5, 6, 7, 3]) {
      const record = await source.read(i);
      expect([...record.image]).toEqual([...bytes(i)]);
      expect(record.caption).toBe(`caption ${i}`);
      expect(record.origin).toEqual(i < 7 ? { file: 'data/train-00000-of-00002.parquet', row: i } : { file: 'data/train-00001-of-00002.parquet', row: i - 7 });
    }
    expect(source.caption(9)).toBe('caption 9');
  });

  it('reads the image column one row group at a time, keeping the last two', async () => {
    const source = await ParquetImageSource.open(await files(hfParquet(rows(9), { rowGroupSize: 3 })), options);
    expect(source.rowGroupReads).toBe(0); // opening reads only the captions
    await Promise.all([source.read(0), source.read(1), source.read(2)]);
    expect(source.rowGroupReads).toBe(1);
    await source.read(4);
    await source.read(0);
    expect(source.rowGroupReads).toBe(2);
    await source.read(8); // evicts group 1 (least recently used)
    await source.read(0);
    expect(source.rowGroupReads).toBe(3);
    await source.read(3);
    expect(source.rowGroupReads).toBe(4);
  });

  it('returns list captions as lists', async () => {
    const source = await ParquetImageSource.open(await files(hfParquet([{ image: bytes(0), text: ['a', 'b'] }, { image: bytes(1), text: ['c'] }], { captionList: true })), options);
    expect(source.caption(0)).toEqual(['a', 'b']);
    expect((await source.read(1)).caption).toEqual(['c']);
  });

  it('finds image columns without 🤗 metadata from the {bytes, path} struct', async () => {
    const source = await ParquetImageSource.open(await files(hfParquet(rows(2), { noFeatures: true })), options);
    expect([...(await source.read(1)).image]).toEqual([...bytes(1)]);
  });

  it('names a missing column and lists the available ones', async () => {
    const shard = await files(hfParquet(rows(2), { captionColumn: 'caption' }));
    const error = await failure(ParquetImageSource.open(shard, options));
    expect(error.code).toBe('DATA_COLUMN_NOT_FOUND');
    expect(error.message).toMatch(/"text" is not a column of org\/ds; the columns are: image, caption/);
  });

  it('refuses a caption column that is not text, and an image column that is not an image', async () => {
    const shard = await files(hfParquet(rows(2)));
    const asImage = await failure(ParquetImageSource.open(shard, { ...options, imageColumn: 'text' }));
    expect(asImage).toMatchObject({ code: 'DATA_COLUMN_INVALID' });
    expect(asImage.message).toMatch(/column "text" of data\/train-00000-of-00001.parquet is Value\(string\), expected an image/);
    const asCaption = await failure(ParquetImageSource.open(shard, { ...options, captionColumn: 'image' }));
    expect(asCaption.message).toMatch(/column "image" .* is Image, expected a string or a list of strings/);
  });

  it('refuses a shard with another schema, naming both files', async () => {
    const error = await failure(ParquetImageSource.open(await files(hfParquet(rows(2)), otherParquet()), options));
    expect(error.code).toBe('DATA_PARQUET_INVALID');
    expect(error.message).toMatch(/data\/train-00001-of-00002.parquet has another schema than data\/train-00000-of-00002.parquet/);
  });

  it('refuses a file that is not parquet', async () => {
    const error = await failure(ParquetImageSource.open(await files(new TextEncoder().encode('definitely not parquet')), options));
    expect(error).toMatchObject({ code: 'DATA_PARQUET_INVALID', details: { file: 'data/train-00000-of-00001.parquet' } });
  });

  it('a missing caption stops with file and row, or is skipped and listed', async () => {
    const shard = await files(hfParquet([...rows(2), { image: bytes(9), text: null }, ...rows(1, 3)]));
    const error = await failure(ParquetImageSource.open(shard, options));
    expect(error).toMatchObject({ code: 'DATA_CAPTION_MISSING', details: { file: 'data/train-00000-of-00001.parquet', row: 2 } });
    const source = await ParquetImageSource.open(shard, { ...options, onBadSample: 'skip' });
    expect(source.size).toBe(3);
    expect(source.skipped).toEqual([expect.objectContaining({ file: 'data/train-00000-of-00001.parquet', row: 2, code: 'DATA_CAPTION_MISSING' })]);
    expect((await source.read(2)).caption).toBe('caption 3');
  });

  it('a row without image bytes fails when read, naming file and row', async () => {
    const source = await ParquetImageSource.open(await files(hfParquet([...rows(1), { image: null, path: 'elsewhere.jpg', text: 'x' }])), options);
    const error = await failure(source.read(1));
    expect(error).toMatchObject({ code: 'DATA_IMAGE_INVALID', details: { file: 'data/train-00000-of-00001.parquet', row: 1 } });
  });

  it('an empty dataset is an error', async () => {
    const error = await failure(ParquetImageSource.open(await files(hfParquet([])), options));
    expect(error.code).toBe('DATA_EMPTY');
  });
});
