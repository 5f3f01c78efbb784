import { describe, expect, it } from 'vitest';
import { learnBpeMerges } from './learnBpeMerges.js';

describe('learnBpeMerges', () => {
  it('merges the most frequent pair first, with </w> on the last letter (worked by hand)', () => {
    // aa ×2 → [a, a</w>]; ab → [a, b</w>]. Pairs: (a, a</w>) 2, (a, b</w>) 1.
    expect(learnBpeMerges(['aa', 'aa', 'ab'], 10)).toEqual([
      ['a', 'a</w>'],
      ['a', 'b</w>'],
    ]);
  });

  it('breaks ties by the pair that sorts first and stops at maxMerges', () => {
    // cab → [c, a, b</w>]; pairs (c, a) 1 and (a, b</w>) 1 tie: "a b</w>" sorts before "c a".
    expect(learnBpeMerges(['cab'], 1)).toEqual([['a', 'b</w>']]);
    expect(learnBpeMerges(['cab'], 5)).toEqual([
      ['a', 'b</w>'],
      ['c', 'ab</w>'],
    ]);
  });

  it('counts a pair in every word it occurs in, weighted by the word count', () => {
    // red ×1, bed ×2: (e, d</w>) occurs 3 times, (b, e) 2, (r, e) 1.
    expect(learnBpeMerges(['red', 'bed', 'bed'], 1)).toEqual([['e', 'd</w>']]);
  });

  it('refuses words a CLIP pre-tokenizer would not produce', () => {
    expect(() => learnBpeMerges(['Red'], 1)).toThrow(/lower-case ASCII word/);
  });
});
