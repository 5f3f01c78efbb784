import { pyLstrip, pyRstrip } from './pythonText.js';
import type { AddedToken } from './resolveSpecialTokens.js';

/** One piece of a split text: plain text still to be normalised and BPE-encoded, or an added token. */
export type TextPiece = string | AddedToken;

const REGEX_SYNTAX = /[.*+?^${}()|[\]\\/]/g;

/**
 * Splits raw text on the literal text of added tokens before any normalisation, as transformers'
 * `PreTrainedTokenizer.tokenize` does with its `Trie`: at the earliest position where one starts, the longest
 * wins; matching is case-sensitive; `lstrip`/`rstrip`/`single_word` are honoured; empty pieces are dropped.
 */
export class AddedTokenSplitter {
  private readonly byContent: ReadonlyMap<string, AddedToken>;
  private readonly pattern: RegExp | undefined;

  constructor(tokens: readonly AddedToken[]) {
    this.byContent = new Map(tokens.map((token) => [token.content, token]));
    const contents = [...this.byContent.keys()].sort((a, b) => b.length - a.length);
    // why: a regex alternation tries alternatives in order at the leftmost position, so longest-first
    // ordering gives the Trie's "earliest start, then longest match".
    this.pattern = contents.length === 0 ? undefined : new RegExp(contents.map((text) => text.replace(REGEX_SYNTAX, '\\$&')).join('|'), 'gu');
  }

  /** The pieces of `text`, in order. */
  split(text: string): TextPiece[] {
    const pieces = this.cut(text);
    // why: transformers decides with the neighbours as they were before this token's own stripping.
    for (let i = 0; i < pieces.length; i += 1) {
      const token = this.byContent.get(pieces[i]);
      if (token === undefined) continue;
      const left = i > 0 ? pieces[i - 1] : undefined;
      const right = i < pieces.length - 1 ? pieces[i + 1] : undefined;
      if (token.rstrip && right) pieces[i + 1] = pyLstrip(right);
      if (token.lstrip && left) pieces[i - 1] = pyRstrip(left);
      if (token.singleWord && left && !left.endsWith(' ')) {
        pieces[i - 1] += token.content;
        pieces[i] = '';
      } else if (token.singleWord && right && !right.startsWith(' ')) {
        pieces[i + 1] = token.content + pieces[i + 1];
        pieces[i] = '';
      }
    }
    const out: TextPiece[] = [];
    for (const piece of pieces) {
      if (piece !== '') out.push(this.byContent.get(piece) ?? piece);
    }
    return out;
  }

  /** Trie.split: the text cut at the boundaries of every added token found, empty pieces left out. */
  private cut(text: string): string[] {
    if (this.pattern === undefined) return text === '' ? [] : [text];
    const pieces: string[] = [];
    let last = 0;
    for (const match of text.matchAll(this.pattern)) {
      if (match.index > last) pieces.push(text.slice(last, match.index));
      pieces.push(match[0]);
      last = match.index + match[0].length;
    }
    if (last < text.length) pieces.push(text.slice(last));
    return pieces;
  }
}
