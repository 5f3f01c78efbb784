import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isSdxlError } from '@sdxl-trainer/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../testing/tempDirs.js';
import { openImageSource } from './openImageSource.js';
import { chooseCaption } from './chooseCaption.js';

afterAll(removeTempDirs);

/** A folder with the given files (string contents), images as a few marker bytes. */
async function folder(files: Record<string, string | Uint8Array>): Promise<string> {
  const root = await tempDir();
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}
const img = (i: number) => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, i]);

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (isSdxlError(error)) return { code: error.code, message: error.message, details: (error.details ?? {}) as Record<string, unknown> };
    throw error;
  }
  throw new Error('expected an SdxlError');
}

describe('imagefolder with metadata.jsonl / metadata.csv', () => {
  it('reads file_name + caption rows, relative to each metadata file', async () => {
    const root = await folder({
      'metadata.jsonl': '{"file_name": "a.png", "text": "top"}\n\n{"file_name": "sub/b.png", "text": ["x", "y"], "extra": 1}\n',
      'sub/metadata.jsonl': '{"file_name": "c.png", "text": "nested"}\n',
      'a.png': img(1),
      'sub/b.png': img(2),
      'sub/c.png': img(3),
      'unlisted.png': img(4),
    });
    const source = await openImageSource({ trainDataDir: root });
    expect(source.size).toBe(3);
    expect(source.columns).toEqual(['image', 'text', 'extra']);
    const records = await Promise.all([0, 1, 2].map((i) => source.read(i)));
    expect(records.map((r) => r.caption)).toEqual(['top', ['x', 'y'], 'nested']);
    expect(records.map((r) => r.image[4])).toEqual([1, 2, 3]);
    expect(records[2]!.origin).toEqual({ file: 'sub/metadata.jsonl', row: 0, image: 'sub/c.png' });
  });

  it('reads metadata.csv with quoted cells', async () => {
    const root = await folder({
      'metadata.csv': 'file_name,text\na.png,"a cat, sitting"\nb.png,"she said ""hi""\nand left"\n',
      'a.png': img(1),
      'b.png': img(2),
    });
    const source = await openImageSource({ trainDataDir: root });
    expect([source.caption(0), source.caption(1)]).toEqual(['a cat, sitting', 'she said "hi"\nand left']);
  });

  it('a line that is not JSON stops with file and line, or is skipped and listed', async () => {
    const files = { 'metadata.jsonl': '{"file_name": "a.png", "text": "ok"}\n{"file_name": "b.png", "text": \n{"file_name": "c.png", "text": "ok too"}\n', 'a.png': img(1), 'b.png': img(2), 'c.png': img(3) };
    const root = await folder(files);
    const error = await failure(openImageSource({ trainDataDir: root }));
    expect(error).toMatchObject({ code: 'DATA_METADATA_INVALID', details: { file: 'metadata.jsonl', row: 1 } });
    expect(error.message).toMatch(/^metadata.jsonl row 1: line 2 is not valid JSON/);
    const source = await openImageSource({ trainDataDir: root, onBadSample: 'skip' });
    expect(source.size).toBe(2);
    expect(source.skipped).toEqual([expect.objectContaining({ file: 'metadata.jsonl', row: 1, code: 'DATA_METADATA_INVALID' })]);
  });

  it('a missing caption or image names the row; skip mode lists them', async () => {
    const root = await folder({ 'metadata.jsonl': '{"file_name": "a.png"}\n{"file_name": "gone.png", "text": "t"}\n{"file_name": "c.png", "text": "fine"}\n', 'a.png': img(1), 'c.png': img(3) });
    const error = await failure(openImageSource({ trainDataDir: root }));
    expect(error).toMatchObject({ code: 'DATA_CAPTION_MISSING', details: { file: 'metadata.jsonl', row: 0, image: 'a.png' } });
    const source = await openImageSource({ trainDataDir: root, onBadSample: 'skip' });
    expect(source.size).toBe(1);
    expect(source.skipped.map((s) => [s.row, s.code])).toEqual([[0, 'DATA_CAPTION_MISSING'], [1, 'DATA_IMAGE_NOT_FOUND']]);
  });

  it('refuses file_name paths that leave the folder', async () => {
    const root = await folder({ 'sub/metadata.jsonl': '{"file_name": "../a.png", "text": "t"}\n', 'a.png': img(1) });
    expect(await failure(openImageSource({ trainDataDir: root }))).toMatchObject({ code: 'DATA_METADATA_INVALID', details: { file: 'sub/metadata.jsonl', row: 0 } });
  });

  it('names a missing column and lists the available ones', async () => {
    const root = await folder({ 'metadata.jsonl': '{"file_name": "a.png", "caption": "t"}\n', 'a.png': img(1) });
    const error = await failure(openImageSource({ trainDataDir: root }));
    expect(error.code).toBe('DATA_COLUMN_NOT_FOUND');
    expect(error.message).toMatch(/the caption column \(--caption_column\) "text" is not a column of .*; the columns are: image, caption/);
    const source = await openImageSource({ trainDataDir: root, captionColumn: 'caption' });
    expect(source.caption(0)).toBe('t');
  });
});

describe('caption .txt beside each image', () => {
  it('reads <name>.txt as the "text" column', async () => {
    const root = await folder({ 'a.jpg': img(1), 'a.txt': 'first caption\n', 'nested/b.webp': img(2), 'nested/b.txt': 'second' });
    const source = await openImageSource({ trainDataDir: root });
    expect(source.columns).toEqual(['image', 'text']);
    expect([source.caption(0), source.caption(1)]).toEqual(['first caption', 'second']);
    expect((await source.read(1)).origin).toEqual({ file: 'nested/b.webp', row: 1, image: 'nested/b.webp' });
  });

  it('an image without its .txt is a missing caption', async () => {
    const root = await folder({ 'a.jpg': img(1), 'a.txt': 'x', 'b.jpg': img(2) });
    expect(await failure(openImageSource({ trainDataDir: root }))).toMatchObject({ code: 'DATA_CAPTION_MISSING', details: { file: 'b.jpg' } });
    expect((await openImageSource({ trainDataDir: root, onBadSample: 'skip' })).size).toBe(1);
  });

  it('images with no captions at all: the caption column does not exist', async () => {
    const root = await folder({ 'a.jpg': img(1) });
    const error = await failure(openImageSource({ trainDataDir: root }));
    expect(error.code).toBe('DATA_COLUMN_NOT_FOUND');
    expect(error.message).toMatch(/no metadata.jsonl \/ metadata.csv and no .txt caption/);
  });

  it('an empty folder, and no source at all, are clear errors', async () => {
    expect((await failure(openImageSource({ trainDataDir: await folder({ 'notes.md': 'hi' }) }))).code).toBe('DATA_FILES_NOT_FOUND');
    expect((await failure(openImageSource({}))).code).toBe('DATA_NO_SOURCE');
    expect((await failure(openImageSource({ trainDataDir: '/does/not/exist' }))).code).toBe('DATA_FILES_NOT_FOUND');
  });
});

describe('chooseCaption', () => {
  it('is deterministic per (seed, row, use) and reaches every option', () => {
    const options = ['a', 'b', 'c'];
    expect(chooseCaption('only', 0, 0, 0)).toBe('only');
    expect(chooseCaption(options, 3, 7, 1)).toBe(chooseCaption(options, 3, 7, 1));
    const seen = new Set(Array.from({ length: 60 }, (_, use) => chooseCaption(options, 3, 7, use)));
    expect([...seen].sort()).toEqual(options);
  });
});
