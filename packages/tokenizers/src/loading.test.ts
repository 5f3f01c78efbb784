import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSdxlError } from '@sdxl-trainer/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { CLIPTokenizer, type CLIPTokenizerFiles } from './index.js';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';

const FIXTURE = sdxlTinyFixture();
const folders: string[] = [];
afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

/** A temporary copy of the fixture's tokenizer_2 folder with some files replaced (undefined = deleted). */
async function tokenizerFolder(replace: Record<string, string | undefined> = {}): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'sdxl-tokenizer-'));
  folders.push(folder);
  for (const file of ['vocab.json', 'merges.txt', 'tokenizer_config.json', 'special_tokens_map.json']) {
    if (!(file in replace)) await copyFile(join(FIXTURE, 'tokenizer_2', file), join(folder, file));
  }
  for (const [file, text] of Object.entries(replace)) if (text !== undefined) await writeFile(join(folder, file), text);
  return folder;
}

async function loadError(folder: string): Promise<{ code: string; message: string }> {
  try {
    await CLIPTokenizer.fromPretrained(folder);
  } catch (error) {
    if (!isSdxlError(error)) throw error;
    return { code: error.code, message: error.message };
  }
  throw new Error(`loading ${folder} did not fail`);
}

describe('CLIPTokenizer.fromPretrained errors', () => {
  it('names the folder when it does not exist', async () => {
    const missing = join(tmpdir(), 'sdxl-no-such-tokenizer-folder');
    expect(await loadError(missing)).toMatchObject({ code: 'TOKENIZER_INVALID', message: expect.stringContaining(missing) });
  });

  it.each([
    ['a missing vocab.json', { 'vocab.json': undefined }, ['vocab.json', 'not found']],
    ['a missing merges.txt', { 'merges.txt': undefined }, ['merges.txt', 'not found']],
    ['vocab.json that is not JSON', { 'vocab.json': '{"a": 1,' }, ['vocab.json', 'not valid JSON']],
    ['a vocab.json id that is not an integer', { 'vocab.json': '{"a": 1, "b": "two"}' }, ['vocab.json', 'field "b"']],
    ['a merges.txt line without two symbols', { 'merges.txt': '#version: 0.2\ni n\nthree\n' }, ['merges.txt', 'line 3']],
    ['a pad_token of the wrong type', { 'tokenizer_config.json': '{"pad_token": 42}' }, ['tokenizer_config.json', 'field "pad_token"']],
    [
      'a model_max_length of the wrong type',
      { 'tokenizer_config.json': '{"model_max_length": "77"}' },
      ['tokenizer_config.json', 'field "model_max_length"'],
    ],
  ])('reports %s with the file and field', async (_, replace, fragments) => {
    const { code, message } = await loadError(await tokenizerFolder(replace));
    expect(code).toBe('TOKENIZER_INVALID');
    for (const fragment of fragments) expect(message).toContain(fragment);
  });

  it('tolerates added_tokens.json and tokenizer.json beside a modern tokenizer_config.json', async () => {
    const folder = await tokenizerFolder({
      'added_tokens.json': '{"<extra>": 49408}',
      'tokenizer.json': '{"added_tokens": [], "model": {"type": "BPE"}}',
    });
    const tokenizer = await CLIPTokenizer.fromPretrained(folder);
    // why: with `added_tokens_decoder` in tokenizer_config.json transformers ignores the legacy files.
    expect(tokenizer.addedTokens.map((token) => token.content)).toEqual(['!', '<|startoftext|>', '<|endoftext|>']);
    expect(tokenizer.padTokenId).toBe(0);
  });

  it('still splits on "!" when an older tokenizer_2 config has no added_tokens_decoder', async () => {
    // why: transformers registers every special token (here pad_token "!") as an added token on load, with
    // its vocabulary id, so the hub's older SDXL tokenizer_2 configs behave like the fixture's.
    const config = { model_max_length: 77, pad_token: '!', tokenizer_class: 'CLIPTokenizer' };
    const tokenizer = await CLIPTokenizer.fromPretrained(await tokenizerFolder({ 'tokenizer_config.json': JSON.stringify(config) }));
    const vocab = JSON.parse(await readFile(join(FIXTURE, 'tokenizer_2', 'vocab.json'), 'utf8')) as Record<string, number>;
    expect(tokenizer.padTokenId).toBe(vocab['!']);
    const row = Array.from(tokenizer.encode('cat!', { padding: false }).inputIds);
    expect(row).toEqual([tokenizer.bosTokenId, vocab['cat</w>'], vocab['!'], tokenizer.eosTokenId]);
  });
});

// A tiny byte-level vocabulary: "ab" merges into one word token.
const tiny = (extra: Partial<CLIPTokenizerFiles> = {}): CLIPTokenizerFiles => ({
  vocab: { a: 0, b: 1, 'a</w>': 2, 'b</w>': 3, 'ab</w>': 4, '<|startoftext|>': 5, '<|endoftext|>': 6 },
  merges: '#version: 0.2\na b</w>\n',
  ...extra,
});

describe('special and added tokens (transformers from_pretrained rules)', () => {
  it('uses CLIP defaults without any config, padding with <|endoftext|>', () => {
    const tokenizer = CLIPTokenizer.fromFiles(tiny());
    expect([tokenizer.bosTokenId, tokenizer.eosTokenId, tokenizer.padTokenId, tokenizer.unkTokenId]).toEqual([5, 6, 6, 6]);
    expect(Array.from(tokenizer.encode('ab', { maxLength: 5 }).inputIds)).toEqual([5, 4, 6, 6, 6]);
  });

  it('lets special_tokens_map.json override a legacy config; a token outside the vocabulary gets the next id', () => {
    const tokenizer = CLIPTokenizer.fromFiles(
      tiny({ tokenizerConfig: { pad_token: '<|endoftext|>' }, specialTokensMap: { pad_token: { content: '<pad>' } } }),
    );
    expect(tokenizer.padTokenId).toBe(7);
    expect(Array.from(tokenizer.encode('a<pad>b', { padding: false }).inputIds)).toEqual([5, 2, 7, 3, 6]);
    expect(tokenizer.decode([5, 4, 7, 7], { skipSpecialTokens: true })).toBe('ab');
  });

  it('ignores special_tokens_map.json when tokenizer_config.json has added_tokens_decoder', () => {
    const tokenizer = CLIPTokenizer.fromFiles(
      tiny({
        tokenizerConfig: { added_tokens_decoder: { '1': { content: 'b', special: true } }, pad_token: 'b' },
        specialTokensMap: { pad_token: '<pad>' },
      }),
    );
    expect(tokenizer.padTokenId).toBe(1);
    expect(tokenizer.addedTokens.map((token) => [token.id, token.content])).toEqual([[1, 'b'], [5, '<|startoftext|>'], [6, '<|endoftext|>']]);
  });

  it('reads added_tokens.json in legacy folders and decodes a non-special added token on its own', () => {
    const tokenizer = CLIPTokenizer.fromFiles(tiny({ addedTokens: { '<x>': 9 } }));
    expect(Array.from(tokenizer.encode('ab<x>a', { padding: false }).inputIds)).toEqual([5, 4, 9, 2, 6]);
    expect(tokenizer.decode([4, 9, 2])).toBe('ab <x> a');
  });

  it('falls back to the BPE model of tokenizer.json when vocab.json and merges.txt are absent', () => {
    const { vocab } = tiny();
    const tokenizer = CLIPTokenizer.fromFiles({
      tokenizerJson: { model: { type: 'BPE', vocab, merges: ['a b</w>'] }, added_tokens: [] },
    });
    expect(Array.from(tokenizer.encode('ab a', { padding: false }).inputIds)).toEqual([5, 4, 2, 6]);
  });
});
