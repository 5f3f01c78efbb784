import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClipBpe } from './ClipBpe.js';
import { CLIPTokenizer } from './index.js';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';

// A deliberately naive re-statement of transformers' CLIPTokenizer (tokenization_clip.py: bytes_to_unicode,
// whitespace_clean + lower, the CLIP pattern, `bpe` merging the lowest-ranked pair everywhere until none is
// left), written for this test only, against which the library-backed BPE and the full pipeline are checked.
const FIXTURE = sdxlTinyFixture();
const vocab = JSON.parse(readFileSync(`${FIXTURE}/tokenizer/vocab.json`, 'utf8')) as Record<string, number>;
const mergeLines = readFileSync(`${FIXTURE}/tokenizer/merges.txt`, 'utf8').trim().split('\n').slice(1);
const merges = mergeLines.map((line) => line.split(' ') as [string, string]);
const ranks = new Map(merges.map(([a, b], rank) => [`${a} ${b}`, rank]));

const byteChar: string[] = [];
for (let byte = 0, extra = 0; byte < 256; byte += 1) {
  const keep = (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || (byte >= 174 && byte <= 255);
  byteChar.push(String.fromCharCode(keep ? byte : 256 + extra++));
}
const byteLevel = (text: string): string => Array.from(Buffer.from(text, 'utf8'), (byte) => byteChar[byte]).join('');

function naiveBpe(word: string): string[] {
  let symbols = [...word];
  symbols[symbols.length - 1] += '</w>';
  for (;;) {
    let best: number | undefined;
    for (let i = 0; i + 1 < symbols.length; i += 1) {
      const rank = ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
      if (rank !== undefined && (best === undefined || rank < best)) best = rank;
    }
    if (best === undefined) return symbols;
    const [first, second] = merges[best] as [string, string];
    const next: string[] = [];
    for (let i = 0; i < symbols.length; i += 1) {
      if (symbols[i] === first && symbols[i + 1] === second) {
        next.push(first + second);
        i += 1;
      } else next.push(symbols[i] as string);
    }
    symbols = next;
  }
}

const PATTERN = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;
function naiveIds(text: string): number[] {
  const clean = text.replace(/\s+/gu, ' ').trim().toLowerCase();
  return (clean.match(PATTERN) ?? []).flatMap((word) => naiveBpe(byteLevel(word)).map((token) => vocab[token] as number));
}

/** A deterministic pseudo-random generator (LCG), so the sampled words are the same on every run. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe('BPE against the naive rank loop', () => {
  const bpe = new ClipBpe(vocab, merges);
  it('gives the same tokens for 3000 vocabulary words and 1000 random byte strings', () => {
    const random = lcg(42);
    const keys = Object.keys(vocab);
    const words: string[] = [];
    for (let i = 0; i < 3000; i += 1) {
      const key = keys[Math.floor(random() * keys.length)] as string;
      const word = key.replace(/<\/w>$/, '');
      if (word !== '' && !word.startsWith('<|')) words.push(word);
    }
    for (let i = 0; i < 1000; i += 1) {
      const length = 1 + Math.floor(random() * 12);
      words.push(Array.from({ length }, () => byteChar[Math.floor(random() * 256)]).join(''));
    }
    for (const word of words) expect([...bpe.tokens(word)], word).toEqual(naiveBpe(word));
  });
});

describe('the full pipeline against the naive statement', () => {
  it('agrees on prompts in several scripts (no ftfy-sensitive characters)', async () => {
    const tokenizer = await CLIPTokenizer.fromPretrained(FIXTURE, { subfolder: 'tokenizer' });
    const prompts = [
      'A photo of an astronaut riding a horse on Mars, 4k, trending on ArtStation',
      '東京タワーの夜景 美しい',
      '中文提示词 高质量',
      '한국어 텍스트 입니다',
      'Ελληνικά κείμενα και Русский текст',
      "don't you'll I'm we've they're he'd it's",
      'emoji 👍🏽 🐶🐱 party',
      'a--b ...c ((d)) [e:1.2] {f|g}',
    ];
    for (const prompt of prompts) {
      const row = Array.from(tokenizer.encode(prompt, { padding: false, truncation: false }).inputIds);
      expect(row.slice(1, -1), prompt).toEqual(naiveIds(prompt));
    }
  });
});
