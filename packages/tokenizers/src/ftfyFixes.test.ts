import { describe, expect, it } from 'vitest';
import { fixC1Controls } from './ftfyFixes.js';
import { unescapeHtml } from './unescapeHtml.js';

// Bytes 0x80-0x9F read as Windows-1252, undefined bytes passed through: the values of CPython 3.11's
// html._invalid_charrefs for 0x80-0x9F (the HTML5 spec's table). Node's TextDecoder cannot serve as the
// reference: its "windows-1252" decodes as Latin-1.
const CP1252_C1 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

describe('C1 controls as Windows-1252', () => {
  const c1 = String.fromCharCode(...CP1252_C1.map((_, i) => 0x80 + i));
  const expected = String.fromCharCode(...CP1252_C1);

  it('fixC1Controls maps every C1 control to its Windows-1252 character (ftfy fix_c1_controls)', () => {
    expect(fixC1Controls(`a${c1}b`)).toBe(`a${expected}b`);
  });

  it('numeric references to 0x80-0x9F decode the same way (html.unescape)', () => {
    const references = CP1252_C1.map((_, i) => `&#${0x80 + i};`).join('');
    expect(unescapeHtml(references)).toBe(expected);
  });
});
