import { describe, expect, it } from 'vitest';
import { AddedTokenSplitter } from './AddedTokenSplitter.js';
import type { AddedToken } from './resolveSpecialTokens.js';

const token = (id: number, content: string, flags: Partial<AddedToken> = {}): AddedToken => ({
  id,
  content,
  lstrip: false,
  rstrip: false,
  singleWord: false,
  ...flags,
});
/** Pieces as strings, with added tokens shown as `[id]`. */
const show = (splitter: AddedTokenSplitter, text: string): string[] =>
  splitter.split(text).map((piece) => (typeof piece === 'string' ? piece : `[${piece.id}]`));

// Expected pieces follow transformers' PreTrainedTokenizer.tokenize + Trie.split (tokenization_utils.py).
describe('AddedTokenSplitter', () => {
  it('cuts on every literal occurrence, case-sensitively, and drops empty pieces', () => {
    const splitter = new AddedTokenSplitter([token(0, '!'), token(7, '<|endoftext|>')]);
    expect(show(splitter, 'hi!! there<|endoftext|>')).toEqual(['hi', '[0]', '[0]', ' there', '[7]']);
    expect(show(splitter, '<|ENDOFTEXT|>')).toEqual(['<|ENDOFTEXT|>']);
    expect(show(splitter, '')).toEqual([]);
  });

  it('prefers the longest token at the earliest position', () => {
    const splitter = new AddedTokenSplitter([token(1, 'ab'), token(2, 'abc'), token(3, 'bcd')]);
    expect(show(splitter, 'xabcd')).toEqual(['x', '[2]', 'd']);
  });

  it('honours lstrip and rstrip', () => {
    const splitter = new AddedTokenSplitter([token(1, '<m>', { lstrip: true, rstrip: true })]);
    expect(show(splitter, 'a  <m>\t b')).toEqual(['a', '[1]', 'b']);
    expect(show(new AddedTokenSplitter([token(1, '<m>')]), 'a <m> b')).toEqual(['a ', '[1]', ' b']);
  });

  it('keeps a single_word token inside a word as text', () => {
    const splitter = new AddedTokenSplitter([token(1, 'ab', { singleWord: true })]);
    expect(show(splitter, 'xab cd')).toEqual(['xab', ' cd']);
    expect(show(splitter, 'x abcd')).toEqual(['x ', 'abcd']);
    expect(show(splitter, 'x ab cd')).toEqual(['x ', '[1]', ' cd']);
  });
});
