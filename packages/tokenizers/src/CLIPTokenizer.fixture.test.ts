import { readFileSync } from 'node:fs';
import { loadSafetensors } from '@sdxl-trainer/safetensors';
import { describe, expect, it } from 'vitest';
import { CLIPTokenizer } from './index.js';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';

// Parity with transformers' slow CLIPTokenizer (4.39, ftfy 6.1.1): reference/README.md §a of the fixture.
const FIXTURE = sdxlTinyFixture();
const prompts = JSON.parse(readFileSync(`${FIXTURE}/reference/prompts.json`, 'utf8')) as string[];
const reference = await loadSafetensors(`${FIXTURE}/reference/tokenizers.safetensors`);

/** The reference rows as plain numbers (I64 in the file; every id is < 2^31). */
function referenceRows(name: string): number[][] {
  const tensor = reference[name];
  if (tensor === undefined) throw new Error(`tokenizers.safetensors has no tensor ${name}`);
  expect(tensor.dtype).toBe('I64');
  expect(tensor.shape).toEqual([prompts.length, 77]);
  const flat = Array.from(tensor.data as BigInt64Array, Number);
  return prompts.map((_, row) => flat.slice(row * 77, (row + 1) * 77));
}

describe.each([
  ['tokenizer', 'input_ids_1'],
  ['tokenizer_2', 'input_ids_2'],
])('%s matches transformers (%s)', (subfolder, tensorName) => {
  it('gives the exact ids of tokenizer(prompts, padding="max_length", max_length=77, truncation=True)', async () => {
    const tokenizer = await CLIPTokenizer.fromPretrained(FIXTURE, { subfolder });
    const expected = referenceRows(tensorName);
    const batch = tokenizer.encode(prompts, { padding: 'max_length', truncation: true, maxLength: tokenizer.modelMaxLength });
    expect(batch.shape).toEqual([prompts.length, 77]);
    const rows = prompts.map((_, row) => Array.from(batch.inputIds.subarray(row * 77, (row + 1) * 77)));
    expect(rows).toEqual(expected);
  });

  it('encodes each prompt alone to the same row', async () => {
    const tokenizer = await CLIPTokenizer.fromPretrained(FIXTURE, { subfolder });
    const expected = referenceRows(tensorName);
    prompts.forEach((prompt, row) => {
      expect(Array.from(tokenizer.encode(prompt).inputIds)).toEqual(expected[row]);
    });
  });
});
