/**
 * The characters Python's `regex` module calls `\s` (Unicode White_Space), as a character-class body.
 * why: JavaScript's `\s` differs (it adds U+FEFF and leaves out U+0085); transformers' CLIPTokenizer uses
 * `regex` for `whitespace_clean` and for the CLIP word pattern, so we spell the class out.
 */
export const REGEX_WHITE_SPACE = '\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** The characters Python's `str.isspace()` accepts (what `str.strip()` removes): White_Space plus U+001C..U+001F. */
const PY_SPACE = `[${REGEX_WHITE_SPACE}\\x1c-\\x1f]`;
const LEADING_SPACE = new RegExp(`^${PY_SPACE}+`, 'u');
const TRAILING_SPACE = new RegExp(`${PY_SPACE}+$`, 'u');

/** Python's `str.lstrip()` with no argument. */
export function pyLstrip(text: string): string {
  return text.replace(LEADING_SPACE, '');
}

/** Python's `str.rstrip()` with no argument. */
export function pyRstrip(text: string): string {
  return text.replace(TRAILING_SPACE, '');
}

/** Python's `str.strip()` with no argument. */
export function pyStrip(text: string): string {
  return pyRstrip(pyLstrip(text));
}
