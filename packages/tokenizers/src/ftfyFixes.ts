// The character-level fixers of ftfy 6.1.1 (ftfy/fixes.py, tables from ftfy/chardata.py) that `fix_text` runs
// by default, each reimplemented from its documented behaviour. fixText.ts runs them in ftfy's order.

/**
 * Windows-1252 as ftfy's "sloppy" codec reads bytes 0x80-0x9F: the five bytes cp1252 leaves undefined
 * (0x81, 0x8D, 0x8F, 0x90, 0x9D) stand for themselves. Index = byte - 0x80.
 */
export const SLOPPY_CP1252_C1 =
  '\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f' +
  '\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178';

const C1_CONTROL = /[\x80-\x9f]/g;

/** `fix_c1_controls`: C1 control characters become their Windows-1252 characters, as web browsers read them. */
export function fixC1Controls(text: string): string {
  return text.replace(C1_CONTROL, (char) => SLOPPY_CP1252_C1[char.charCodeAt(0) - 0x80] ?? char);
}

const LIGATURES: Readonly<Record<string, string>> = {
  'Ĳ': 'IJ', 'ĳ': 'ij', 'ŉ': 'ʼn', 'Ǳ': 'DZ', 'ǲ': 'Dz', 'ǳ': 'dz', 'Ǆ': 'DŽ', 'ǅ': 'Dž', 'ǆ': 'dž', 'Ǉ': 'LJ',
  'ǈ': 'Lj', 'ǉ': 'lj', 'Ǌ': 'NJ', 'ǋ': 'Nj', 'ǌ': 'nj', 'ﬀ': 'ff', 'ﬁ': 'fi', 'ﬂ': 'fl', 'ﬃ': 'ffi', 'ﬄ': 'ffl',
  'ﬅ': 'ſt', 'ﬆ': 'st',
};
const LIGATURE = new RegExp(`[${Object.keys(LIGATURES).join('')}]`, 'g');

/** `fix_latin_ligatures`: single-character Latin ligatures (ﬁ, ĳ, ǆ, ...) become the letters they join. */
export function fixLatinLigatures(text: string): string {
  return text.replace(LIGATURE, (char) => LIGATURES[char] ?? char);
}

const WIDTH_MAP: ReadonlyMap<string, string> = buildWidthMap();
const WIDE_OR_HALF = /[\u3000\uff01-\uffef]/g;

function buildWidthMap(): Map<string, string> {
  // why: ftfy maps U+3000 IDEOGRAPHIC SPACE to a space, and every U+FF01..U+FFEF whose NFKC form differs to that form.
  const map = new Map<string, string>([['\u3000', ' ']]);
  for (let code = 0xff01; code < 0xfff0; code += 1) {
    const char = String.fromCharCode(code);
    const normal = char.normalize('NFKC');
    if (normal !== char) map.set(char, normal);
  }
  return map;
}

/** `fix_character_width`: full-width Latin and half-width katakana/Hangul become their standard forms. */
export function fixCharacterWidth(text: string): string {
  return text.replace(WIDE_OR_HALF, (char) => WIDTH_MAP.get(char) ?? char);
}

const SINGLE_QUOTE = /[\u02bc\u2018-\u201b]/g;
const DOUBLE_QUOTE = /[\u201c-\u201f]/g;

/** `uncurl_quotes`: curly single quotes (and U+02BC) become `'`, curly double quotes become `"`. */
export function uncurlQuotes(text: string): string {
  return text.replace(DOUBLE_QUOTE, '"').replace(SINGLE_QUOTE, "'");
}

/** `fix_line_breaks`: CRLF, CR, U+2028, U+2029 and U+0085 all become `\n`. */
export function fixLineBreaks(text: string): string {
  return text
    .replaceAll('\r\n', '\n')
    .replaceAll('\r', '\n')
    .replaceAll('\u2028', '\n')
    .replaceAll('\u2029', '\n')
    .replaceAll('\u0085', '\n');
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `fix_surrogates`: surrogates that do not form a pair become U+FFFD.
 * why: ftfy also joins surrogate pairs into one code point; a JavaScript string already reads a pair as one.
 */
export function fixSurrogates(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

// why: Python's `\d` on str patterns matches every Unicode decimal digit, hence \p{Nd}.
const ANSI_ESCAPE = /\x1b\[((?:\p{Nd}|;)*)([a-zA-Z])/gu;

/** `remove_terminal_escapes`: drops ANSI escape sequences such as `ESC[36;44m`. */
export function removeTerminalEscapes(text: string): string {
  return text.replace(ANSI_ESCAPE, '');
}

const CONTROL_CHAR = /[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;

/**
 * `remove_control_chars`: drops ASCII controls other than tab, LF, FF and CR, the deprecated Arabic format
 * controls U+206A-U+206F, the byte-order mark, and U+FFF9-U+FFFC.
 */
export function removeControlChars(text: string): string {
  return text.replace(CONTROL_CHAR, '');
}
