import { readFileSync } from 'node:fs';
import { isSdxlError } from '@sdxl-trainer/errors';
import { describe, expect, it } from 'vitest';
import { CLIPTokenizer } from './index.js';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';

// Expectations here come from the fixture's vocab.json and special_tokens_map.json, read directly, and from
// what transformers' CLIPTokenizer does (reference/README.md §a), never from this package's own output.
const FIXTURE = sdxlTinyFixture();
const vocab = JSON.parse(readFileSync(`${FIXTURE}/tokenizer/vocab.json`, 'utf8')) as Record<string, number>;
const padOf = (subfolder: string): string =>
  (JSON.parse(readFileSync(`${FIXTURE}/${subfolder}/special_tokens_map.json`, 'utf8')) as { pad_token: string }).pad_token;
const tok1 = await CLIPTokenizer.fromPretrained(FIXTURE, { subfolder: 'tokenizer' });
const tok2 = await CLIPTokenizer.fromPretrained(FIXTURE, { subfolder: 'tokenizer_2' });

const BOS = vocab['<|startoftext|>'] as number;
const EOS = vocab['<|endoftext|>'] as number;
/** The vocabulary id of each token, failing loudly on a token the vocabulary lacks. */
const ids = (...tokens: string[]): number[] =>
  tokens.map((token) => {
    const id = vocab[token];
    if (id === undefined) throw new Error(`vocab.json has no ${JSON.stringify(token)}`);
    return id;
  });
/** The text ids of one prompt: the unpadded row without BOS and EOS. */
const textIds = (tokenizer: CLIPTokenizer, text: string): number[] =>
  Array.from(tokenizer.encode(text, { padding: false, truncation: false }).inputIds).slice(1, -1);

describe('CLIPTokenizer special ids', () => {
  it('takes BOS/EOS from the vocabulary and the pad token from each folder', () => {
    expect(padOf('tokenizer')).toBe('<|endoftext|>');
    expect(padOf('tokenizer_2')).toBe('!');
    for (const tokenizer of [tok1, tok2]) {
      expect(tokenizer.bosTokenId).toBe(BOS);
      expect(tokenizer.eosTokenId).toBe(EOS);
      expect(tokenizer.modelMaxLength).toBe(77);
      expect(tokenizer.vocabSize).toBe(Object.keys(vocab).length);
    }
    expect(tok1.padTokenId).toBe(vocab['<|endoftext|>']);
    expect(tok2.padTokenId).toBe(vocab['!']);
  });
});

describe('CLIPTokenizer.encode', () => {
  it('frames text as [BOS, words..., EOS] and pads to 77 with the pad id, mask 1 on real tokens', () => {
    const batch = tok2.encode('a red circle');
    expect(batch.shape).toEqual([1, 77]);
    const row = [BOS, ...ids('a</w>', 'red</w>', 'circle</w>'), EOS];
    expect(Array.from(batch.inputIds)).toEqual([...row, ...Array<number>(77 - row.length).fill(vocab['!'] as number)]);
    expect(Array.from(batch.attentionMask)).toEqual([...Array<number>(row.length).fill(1), ...Array<number>(77 - row.length).fill(0)]);
  });

  it('gives [BOS, EOS, pad...] for the empty prompt and a whitespace-only prompt', () => {
    for (const text of ['', '   ', '\t\n \u3000 \u00a0']) {
      expect(Array.from(tok1.encode(text).inputIds)).toEqual([BOS, EOS, ...Array<number>(75).fill(EOS)]);
      expect(Array.from(tok2.encode(text).inputIds)).toEqual([BOS, EOS, ...Array<number>(75).fill(0)]);
      expect(Array.from(tok2.encode(text).attentionMask.slice(0, 3))).toEqual([1, 1, 0]);
    }
  });

  it('truncates to the first 75 text ids between BOS and EOS, and keeps everything without truncation', () => {
    const long = Array.from({ length: 100 }, (_, i) => ['red', 'cat', 'dog', 'photo'][i % 4]).join(' ');
    const words = Array.from({ length: 100 }, (_, i) => ['red</w>', 'cat</w>', 'dog</w>', 'photo</w>'][i % 4] as string);
    expect(Array.from(tok1.encode(long).inputIds)).toEqual([BOS, ...ids(...words.slice(0, 75)), EOS]);
    const full = tok1.encode(long, { padding: false, truncation: false });
    expect(full.shape).toEqual([1, 102]);
    expect(Array.from(full.inputIds)).toEqual([BOS, ...ids(...words), EOS]);
    expect(Array.from(tok1.encode(long, { maxLength: 6 }).inputIds)).toEqual([BOS, ...ids(...words.slice(0, 4)), EOS]);
  });

  it('splits "!" out as the added token "!" (id 0) in tokenizer_2 only', () => {
    expect(textIds(tok1, 'wow!')).toEqual(ids('wow</w>', '!</w>'));
    expect(textIds(tok2, 'wow!')).toEqual([...ids('wow</w>'), 0]);
    expect(textIds(tok1, 'cat!!!')).toEqual(ids('cat</w>', '!!!</w>'));
    expect(textIds(tok2, 'cat!!!')).toEqual([...ids('cat</w>'), 0, 0, 0]);
    // why: the split happens on the raw text, so "!" cuts a word in two for tokenizer_2.
    expect(textIds(tok2, 'hello!world')).toEqual([...ids('hello</w>'), 0, ...ids('world</w>')]);
  });

  it('maps the special-token spellings in a prompt to their ids, in any case', () => {
    for (const tokenizer of [tok1, tok2]) {
      expect(textIds(tokenizer, 'a <|endoftext|> b')).toEqual([...ids('a</w>'), EOS, ...ids('b</w>')]);
      expect(textIds(tokenizer, '<|startoftext|>cat')).toEqual([BOS, ...ids('cat</w>')]);
      // why: upper case escapes the literal split, but lower() and the CLIP pattern still find the spelling.
      expect(textIds(tokenizer, 'a <|ENDOFTEXT|> b')).toEqual([...ids('a</w>'), EOS, ...ids('b</w>')]);
    }
    // why: the CLIP pattern tries punctuation runs before the special spelling can start: "?<|" is one word.
    expect(textIds(tok1, '?<|ENDOFTEXT|>')).not.toContain(EOS);
    expect(textIds(tok1, '?<|endoftext|>')).toEqual([...ids('?</w>'), EOS]);
  });

  it('folds case and splits numbers into single digits', () => {
    expect(textIds(tok1, 'A RED Circle')).toEqual(ids('a</w>', 'red</w>', 'circle</w>'));
    expect(textIds(tok1, '2024')).toEqual(ids('2</w>', '0</w>', '2</w>', '4</w>'));
    expect(textIds(tok1, '8k')).toEqual(ids('8</w>', 'k</w>'));
  });

  it('applies ftfy: entities, curly quotes, full-width letters and ligatures read as plain text', () => {
    expect(textIds(tok1, 'Tom &amp; Jerry')).toEqual(ids('tom</w>', '&</w>', 'jerry</w>'));
    expect(textIds(tok1, 'it\u2019s')).toEqual(ids('it</w>', "'s</w>"));
    expect(textIds(tok1, '\uff32\uff25\uff24')).toEqual(ids('red</w>'));
    expect(textIds(tok1, '\ufb01ne')).toEqual(textIds(tok1, 'fine'));
  });

  it('keeps a run of CJK letters as one word (the ftfy path, not per-character)', () => {
    // why: 東京 is one \p{L}+ run; its BPE must not end a word after 東 (which the "</w>" suffix would show).
    const tokens = tok1.tokenize('東京');
    expect(tokens.at(-1)?.endsWith('</w>')).toBe(true);
    expect(tokens.slice(0, -1).every((token) => !token.endsWith('</w>'))).toBe(true);
    expect(textIds(tok1, '東京 tokyo').at(-1)).toBe(vocab['tokyo</w>']);
  });

  it("pads to the batch's longest row with padding 'longest'", () => {
    const batch = tok2.encode(['a', 'a red circle'], { padding: 'longest' });
    expect(batch.shape).toEqual([2, 5]);
    expect(Array.from(batch.inputIds)).toEqual([BOS, ...ids('a</w>'), EOS, 0, 0, BOS, ...ids('a</w>', 'red</w>', 'circle</w>'), EOS]);
    expect(Array.from(batch.attentionMask)).toEqual([1, 1, 1, 0, 0, 1, 1, 1, 1, 1]);
  });

  it('refuses a batch that cannot be rectangular, and bad options', () => {
    const code = (run: () => unknown): string | undefined => {
      try {
        run();
      } catch (error) {
        return isSdxlError(error) ? error.code : 'not an SdxlError';
      }
      return undefined;
    };
    expect(code(() => tok1.encode(['a', 'a red'], { padding: false }))).toBe('TOKENIZER_INVALID_ARGUMENT');
    expect(code(() => tok1.encode('a', { maxLength: 1 }))).toBe('TOKENIZER_INVALID_ARGUMENT');
    expect(code(() => tok1.encode([42 as unknown as string]))).toBe('TOKENIZER_INVALID_ARGUMENT');
    expect(code(() => tok1.decode([1_000_000]))).toBe('TOKENIZER_INVALID_ARGUMENT');
  });
});

describe('CLIPTokenizer.decode', () => {
  it('reads </w> as a space, joins byte-level text back into UTF-8 and skips special tokens on request', () => {
    expect(tok1.decode([BOS, ...ids('a</w>', 'red</w>', 'circle</w>'), EOS, EOS], { skipSpecialTokens: true })).toBe('a red circle');
    expect(tok1.decode([BOS, ...ids('a</w>'), EOS])).toBe('<|startoftext|>a <|endoftext|>');
    expect(tok2.decode(tok2.encode('Café 🐶').inputIds, { skipSpecialTokens: true })).toBe('café 🐶');
    expect(tok1.decode(new BigInt64Array([BigInt(vocab['cat</w>'] as number), BigInt(vocab['!</w>'] as number)]))).toBe('cat!');
  });
});
