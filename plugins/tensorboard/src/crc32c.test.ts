import { describe, expect, it } from 'vitest';
import { crc32c, maskedCrc32c } from './crc32c.js';
import { bitwiseCrc32c, mask } from './testing/readEventFile.js';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('has the standard check value: crc32c("123456789") = 0xe3069283', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array())).toBe(0);
  });

  it('agrees with a bit-by-bit implementation on random data, and masks as TFRecord does', () => {
    let x = 12345;
    for (const length of [1, 7, 8, 63, 1000]) {
      const bytes = Uint8Array.from({ length }, () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24);
      expect(crc32c(bytes)).toBe(bitwiseCrc32c(bytes));
      expect(maskedCrc32c(bytes)).toBe(mask(bitwiseCrc32c(bytes)));
    }
  });
});
