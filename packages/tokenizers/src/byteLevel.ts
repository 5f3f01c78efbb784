/**
 * The byte -> character table of byte-level BPE (transformers `bytes_to_unicode`, the same table as GPT-2):
 * the 188 printable Latin-1 bytes (0x21-0x7E, 0xA1-0xAC, 0xAE-0xFF) stand for themselves, the other 68 bytes
 * map, in increasing byte order, to U+0100, U+0101, ... so that no BPE symbol is a space or a control character.
 */
const BYTE_TO_CHAR: readonly string[] = buildByteTable();
const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((char, byte) => [char, byte]));
const UTF8 = new TextEncoder();
// why: transformers decodes with errors="replace"; TextDecoder's default (non-fatal) mode also writes U+FFFD.
const UTF8_DECODER = new TextDecoder('utf-8');

function buildByteTable(): string[] {
  const table: string[] = [];
  let next = 0x100;
  for (let byte = 0; byte < 256; byte += 1) {
    const printable = (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
    table.push(String.fromCharCode(printable ? byte : next++));
  }
  return table;
}

/** The UTF-8 bytes of `text`, each written as its byte-level BPE character. */
export function toByteLevel(text: string): string {
  let out = '';
  for (const byte of UTF8.encode(text)) out += BYTE_TO_CHAR[byte];
  return out;
}

/**
 * Turns byte-level BPE characters back into text (transformers `convert_tokens_to_string` before the
 * `</w>` replacement). A character outside the table (an added token's own text) contributes its UTF-8 bytes.
 */
export function fromByteLevel(symbols: string): string {
  const bytes: number[] = [];
  for (const char of symbols) {
    const byte = CHAR_TO_BYTE.get(char);
    if (byte !== undefined) bytes.push(byte);
    else bytes.push(...UTF8.encode(char));
  }
  return UTF8_DECODER.decode(new Uint8Array(bytes));
}
