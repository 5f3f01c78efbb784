import { bench, describe } from 'vitest';
import { CLIPTokenizer } from './index.js';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';

// Run: cd /work/main && npx vitest bench --run --project @sdxl-trainer/tokenizers
const FIXTURE = sdxlTinyFixture();
const WORDS = ['a', 'photo', 'of', 'lighthouse', 'on', 'rocky', 'cliff', 'at', 'sunset', 'dramatic', 'orange', 'purple', 'clouds',
  'masterpiece', 'best', 'quality', 'ultra', 'sharp', 'focus', 'cinematic', 'color', 'grading', '8k', 'Café', '東京', 'naïve!'];

/** 1000 prompts of 10-50 words, fixed by a seeded generator. */
function prompts(): string[] {
  let state = 7;
  const random = (): number => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: 1000 }, (_, i) => {
    const words = Array.from({ length: 10 + Math.floor(random() * 40) }, () => WORDS[Math.floor(random() * WORDS.length)]);
    return `${words.join(' ')}, #${i}`;
  });
}

const batch = prompts();
const tokenizer = await CLIPTokenizer.fromPretrained(FIXTURE, { subfolder: 'tokenizer_2' });

describe('CLIPTokenizer', () => {
  bench('fromPretrained (vocab.json + 48 894 merges)', async () => {
    await CLIPTokenizer.fromPretrained(FIXTURE, { subfolder: 'tokenizer' });
  }, { iterations: 5 });

  bench('encode 1000 prompts to [1000, 77] (word cache warm)', () => {
    tokenizer.encode(batch);
  });
});
