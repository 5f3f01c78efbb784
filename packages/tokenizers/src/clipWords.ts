import { REGEX_WHITE_SPACE, pyStrip } from './pythonText.js';

const WHITE_SPACE_RUN = new RegExp(`[${REGEX_WHITE_SPACE}]+`, 'gu');

/**
 * The CLIP word pattern (transformers `CLIPTokenizer.pat`, compiled there with `re.IGNORECASE`): the two
 * special-token spellings, English contractions, runs of letters, single digits, runs of everything else.
 * why: the `i` flag matters: like Python's IGNORECASE it lets `'s` also match `'ſ` (U+017F folds to s).
 */
const CLIP_WORD = new RegExp(
  `<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^${REGEX_WHITE_SPACE}\\p{L}\\p{N}]+`,
  'giu',
);

/**
 * Splits already-fixed text into CLIP words, as transformers `CLIPTokenizer._tokenize` does after `fix_text`:
 * `whitespace_clean` (every whitespace run becomes one space, then strip), `lower()`, then the CLIP pattern.
 */
export function clipWords(fixedText: string): string[] {
  const cleaned = pyStrip(fixedText.replace(WHITE_SPACE_RUN, ' ')).toLowerCase();
  return cleaned.match(CLIP_WORD) ?? [];
}
