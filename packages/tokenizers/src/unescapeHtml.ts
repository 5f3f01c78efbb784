import { SLOPPY_CP1252_C1 } from './ftfyFixes.js';
import { HTML_ENTITIES } from './htmlEntities.js';

// why: ftfy only decodes references that end in ";" (so informal text such as "this&not that" survives).
const HTML_ENTITY = /&#?[0-9A-Za-z]{1,24};/g;
const DECIMAL = /^[0-9]+$/;
const HEXADECIMAL = /^[xX][0-9a-fA-F]+$/;

/**
 * ftfy's `unescape_html` (ftfy 6.1.1 fixes.py): decodes `&name;` from the HTML5 table (and upper-cased
 * aliases such as `&EACUTE;`), and `&#65;` / `&#x41;` numeric references; anything else is left as written.
 */
export function unescapeHtml(text: string): string {
  return text.replace(HTML_ENTITY, (reference) => {
    const name = reference.slice(1, -1);
    if (Object.hasOwn(HTML_ENTITIES, name)) return HTML_ENTITIES[name] as string;
    if (!reference.startsWith('&#')) return reference;
    const decoded = decodeNumericReference(reference.slice(2, -1));
    // why: ftfy keeps the reference when Python's html.unescape left a ";" in its result, which also
    // happens when the reference itself decodes to ";" (`&#59;`).
    return decoded === undefined || decoded.includes(';') ? reference : decoded;
  });
}

/**
 * Python's `html.unescape` for one numeric reference body (`65`, `x41`), or undefined when html.unescape
 * would only decode part of it. The replacement rules follow the HTML5 spec as CPython's html module does.
 */
function decodeNumericReference(body: string): string | undefined {
  let code: number;
  if (DECIMAL.test(body)) code = Number.parseInt(body, 10);
  else if (HEXADECIMAL.test(body)) code = Number.parseInt(body.slice(1), 16);
  else return undefined;
  if (code === 0) return '\ufffd';
  if (code === 0x0d) return '\r';
  if (code >= 0x80 && code <= 0x9f) return SLOPPY_CP1252_C1[code - 0x80];
  if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return '\ufffd';
  if (isInvalidCodePoint(code)) return '';
  return String.fromCodePoint(code);
}

/** CPython html's `_invalid_codepoints` (C0/C1 controls except whitespace, DEL, and the noncharacters). */
function isInvalidCodePoint(code: number): boolean {
  return (
    (code >= 0x01 && code <= 0x08) ||
    code === 0x0b ||
    (code >= 0x0e && code <= 0x1f) ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0xfdd0 && code <= 0xfdef) ||
    (code & 0xfffe) === 0xfffe
  );
}
