import { describe, expect, it } from 'vitest';
import { fromByteLevel, toByteLevel } from './byteLevel.js';

describe('byte-level alphabet (transformers bytes_to_unicode)', () => {
  const alphabet = [...toByteLevel(new TextDecoder('latin1').decode(Uint8Array.from({ length: 128 }, (_, i) => i)))];

  it('keeps printable ASCII, moves space and controls to U+0100 onwards', () => {
    expect(toByteLevel('az!~')).toBe('az!~');
    // why: byte 0x20 is the 33rd unprintable byte (after 0x00-0x1F), so it maps to U+0100 + 32 = U+0120 "Ġ".
    expect(toByteLevel(' ')).toBe('\u0120');
    expect(toByteLevel('\u0000')).toBe('\u0100');
    expect(alphabet).toHaveLength(128);
  });

  it('writes each UTF-8 byte as one character and reads it back', () => {
    expect(toByteLevel('é')).toBe('\u00c3\u00a9');
    for (const text of ['café 🐶', '東京', 'tab\tand\nnewline', '\u00ad soft hyphen']) {
      expect(fromByteLevel(toByteLevel(text))).toBe(text);
      expect([...toByteLevel(text)]).toHaveLength(new TextEncoder().encode(text).length);
    }
  });

  it('replaces an incomplete UTF-8 sequence with U+FFFD, as errors="replace"', () => {
    expect(fromByteLevel(toByteLevel('é').slice(0, 1))).toBe('\ufffd');
  });
});
