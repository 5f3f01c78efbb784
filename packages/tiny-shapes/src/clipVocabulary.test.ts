import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { byteLevelSymbols, clipVocabulary, mergesText } from './clipVocabulary.js';

const fixture = fileURLToPath(new URL('../../../../shared/fixtures/sdxl-tiny', import.meta.url));

function fixtureVocab(): Record<string, number> {
  const path = `${fixture}/tokenizer/vocab.json`;
  if (!existsSync(path)) throw new Error(`the shared SDXL fixture is missing: ${path} (expected ../shared/fixtures/sdxl-tiny beside the repository)`);
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>;
}

describe('clipVocabulary', () => {
  it("lays out the 512 byte symbols exactly as OpenAI CLIP's vocabulary (the SDXL fixture's)", () => {
    const reference = fixtureVocab();
    const { vocab } = clipVocabulary([]);
    const symbols = byteLevelSymbols();
    expect(symbols).toHaveLength(256);
    for (const [index, symbol] of symbols.entries()) {
      expect(vocab[symbol]).toBe(reference[symbol]);
      expect(vocab[`${symbol}</w>`]).toBe(reference[`${symbol}</w>`]);
      expect(vocab[symbol]).toBe(index);
    }
  });

  it('puts one token per merge after the byte symbols and the two specials last', () => {
    const { vocab } = clipVocabulary([
      ['r', 'e'],
      ['re', 'd</w>'],
    ]);
    expect(vocab['re']).toBe(512);
    expect(vocab['red</w>']).toBe(513);
    expect(vocab['<|startoftext|>']).toBe(514);
    expect(vocab['<|endoftext|>']).toBe(515);
    expect(Object.keys(vocab)).toHaveLength(516);
  });

  it('refuses a merge that would repeat a token', () => {
    expect(() =>
      clipVocabulary([
        ['a', 'b'],
        ['a', 'b'],
      ]),
    ).toThrow(/appears twice/);
  });

  it('writes merges.txt with the version header transformers skips', () => {
    expect(mergesText([['r', 'e']])).toBe('#version: 0.2\nr e\n');
  });
});
