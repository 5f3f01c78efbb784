import { afterAll, describe, expect, it } from 'vitest';
import { TestImageCollector } from './TestImageCollector.js';
import { removeTempDirs, tempDir, writeTree } from './testing/fakeRunOutput.js';

afterAll(removeTempDirs);

const image = (tag: string, caption?: string) => ({ tag, data: new Uint8Array(3), width: 1, height: 1, caption });

describe('TestImageCollector', () => {
  it('keeps the last set of test/<i> images, in index order, and their prompt; ignores validation images', async () => {
    const collector = new TestImageCollector();
    collector.observe([image('validation/0', '0: early')]);
    expect(collector.prompt).toBe(undefined);
    collector.observe([image('test/0', '0: old')]);
    collector.observe([image('test/2', '2: a cat: sitting'), image('test/0', '0: a cat: sitting'), image('test/1', '1: a cat: sitting')]);
    expect(collector.prompt).toBe('a cat: sitting');
    const folder = await tempDir();
    await writeTree(folder, { '0.png': 'a', '2.png': 'c', '3.png': 'stale from an earlier run' });
    expect(collector.files(folder)).toEqual({ found: [`${folder}/0.png`, `${folder}/2.png`], missing: [`${folder}/1.png`] });
  });
});
