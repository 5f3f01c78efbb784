import { fromByteLevel } from './byteLevel.js';
import { pyStrip } from './pythonText.js';

/** How {@link CLIPTokenizer.decode} turns ids back into text. */
export interface DecodeOptions {
  /** Leave out BOS, EOS, padding and the other special tokens. Default `false`. */
  readonly skipSpecialTokens?: boolean;
  /** Remove the space before `. ? ! ,` and English contractions. Default: the tokenizer config's `clean_up_tokenization_spaces` (true). */
  readonly cleanUpTokenizationSpaces?: boolean;
}

/**
 * transformers `PreTrainedTokenizer._decode` with CLIP's `convert_tokens_to_string`: runs of BPE tokens become
 * text (bytes decoded as UTF-8, `</w>` read as a space, then stripped); added tokens that are not special stand
 * alone; the parts are joined with spaces and optionally cleaned up.
 */
export function decodeTokens(tokens: readonly string[], standalone: ReadonlySet<string>, cleanUp: boolean): string {
  const parts: string[] = [];
  let run: string[] = [];
  for (const token of tokens) {
    if (!standalone.has(token)) {
      run.push(token);
      continue;
    }
    if (run.length > 0) {
      const text = bpeTokensToText(run);
      if (text.length > 0) parts.push(text);
      run = [];
    }
    parts.push(token);
  }
  if (run.length > 0) parts.push(bpeTokensToText(run));
  const text = parts.join(' ');
  return cleanUp ? cleanUpTokenization(text) : text;
}

/** CLIP's `convert_tokens_to_string`. */
function bpeTokensToText(tokens: readonly string[]): string {
  return pyStrip(fromByteLevel(tokens.join('')).replaceAll('</w>', ' '));
}

/** transformers `clean_up_tokenization`. */
function cleanUpTokenization(text: string): string {
  return text
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}
