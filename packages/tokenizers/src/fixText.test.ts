import { describe, expect, it } from 'vitest';
import { fixText } from './fixText.js';

// Expected values: the examples in ftfy 6.1.1's docstrings (ftfy/__init__.py, ftfy/fixes.py) and what
// `ftfy.fix_text` of ftfy 6.1.1 on Python 3.11 returned for the other inputs.
describe('fixText (ftfy.fix_text, deterministic part)', () => {
  it.each([
    ['Broken text&hellip; it&#x2019;s \ufb02ubberi\ufb01c!', 'Broken text\u2026 it\'s flubberific!'],
    ['\uff2c\uff2f\uff35\uff24\u3000\uff2e\uff2f\uff29\uff33\uff25\uff33', 'LOUD NOISES'],
    ['\uff35\uff80\uff70\uff9d', 'U\u30bf\u30fc\u30f3'],
    ['\ufb02u\ufb03e\ufb06', 'fluffiest'],
    ['\u201chere\u2019s a test\u201d', '"here\'s a test"'],
  ])('fixes %j', (input, expected) => {
    expect(fixText(input)).toBe(expected);
  });

  it('decodes HTML entities as ftfy does (named, upper-case aliases, numeric) and nothing else', () => {
    expect(fixText('&lt;tag&gt;')).toBe('<tag>');
    expect(fixText('&Jscr;ohn &HilbertSpace;ancock')).toBe('\ud835\udca5ohn \u210bancock');
    expect(fixText('P&EACUTE;REZ')).toBe('P\u00c9REZ');
    expect(fixText('BUNDESSTRA&SZLIG;E')).toBe('BUNDESSTRASSE');
    expect(fixText('&ntilde; &Ntilde; &NTILDE; &nTILDE;')).toBe('\u00f1 \u00d1 \u00d1 &nTILDE;');
    expect(fixText('&#59; &#65; &#x41; &#0; &#128; &#1114112; &#12ab; &#x;')).toBe('&#59; A A \ufffd \u20ac \ufffd &#12ab; &#x;');
    expect(fixText('&amp;amp;')).toBe('&');
  });

  it('stops decoding entities from the first line that contains "<" on', () => {
    expect(fixText('a &amp; <b>')).toBe('a &amp; <b>');
    expect(fixText('&amp;\n<b>')).toBe('&\n<b>');
    expect(fixText('<b>\n&amp;')).toBe('<b>\n&amp;');
  });

  it('normalises line breaks, C1 controls (before line breaks), surrogates, escapes, control characters and NFC', () => {
    expect(fixText('two things:\u20291. Unicode\u20282. Spite')).toBe('two things:\n1. Unicode\n2. Spite');
    expect(fixText('a\r\n\r\nb\rc')).toBe('a\n\nb\nc');
    expect(fixText("What is this \u0085 I don't even")).toBe("What is this \u2026 I don't even");
    expect(fixText('\u0093quoted\u0094 \u0081')).toBe('"quoted" \u0081');
    expect(fixText('x\ud83dy\udca9z')).toBe('x\ufffdy\ufffdz');
    expect(fixText("\u001b[36;44mI'm blue\u001b[0m")).toBe("I'm blue");
    expect(fixText('ctrl\u0000\u0007\u001f\u007f\ufeff\u206aend\ufffc')).toBe('ctrlend');
    expect(fixText('e\u0301')).toBe('\u00e9');
    expect(fixText('\t\f\n')).toBe('\t\f\n');
  });

  it('leaves ordinary prompts alone', () => {
    const prompt = 'A PHOTO of Café Müller, 2 dogs & 1 cat!!! (8k) — naïve 🐶?';
    expect(fixText(prompt)).toBe(prompt);
  });
});
