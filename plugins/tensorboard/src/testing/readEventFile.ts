// A reader written for the tests only, independent of the writer: a bitwise (table-free) CRC-32C, TFRecord
// framing, and a generic protobuf wire-format decoder (varint, fixed64, length-delimited, fixed32).

/** CRC-32C bit by bit (RFC 3720 B.4's polynomial, reflected: 0x82f63b78). */
export function bitwiseCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord's mask: rotate right 15 bits, add 0xa282ead8 (mod 2^32). */
export function mask(crc: number): number {
  const rotated = Number((BigInt(crc) >> 15n) | ((BigInt(crc) << 17n) & 0xffffffffn));
  return (rotated + 0xa282ead8) % 2 ** 32;
}

type Field = { wire: 0; value: number } | { wire: 1 | 5 | 2; value: Uint8Array };

/** Decode one protobuf message into fields by number (repeated fields keep their order). */
export function decodeMessage(bytes: Uint8Array): Map<number, Field[]> {
  const fields = new Map<number, Field[]>();
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[at++]!;
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) return value;
    }
  };
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.length) throw new Error(`field runs past the end of the message (${at + n} > ${bytes.length})`);
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  while (at < bytes.length) {
    const key = varint();
    const number = Math.floor(key / 8);
    const wire = key % 8;
    let field: Field;
    if (wire === 0) field = { wire, value: varint() };
    else if (wire === 1) field = { wire, value: take(8) };
    else if (wire === 5) field = { wire, value: take(4) };
    else if (wire === 2) field = { wire, value: take(varint()) };
    else throw new Error(`unexpected wire type ${wire} for field ${number}`);
    fields.set(number, [...(fields.get(number) ?? []), field]);
  }
  return fields;
}

const bytesOf = (fields: Map<number, Field[]>, n: number): Uint8Array[] => (fields.get(n) ?? []).map((f) => f.value as Uint8Array);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** One decoded `Event`. */
export interface DecodedEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  values: { tag: string; simpleValue?: number; image?: { height: number; width: number; colorspace: number; png: Uint8Array } }[];
}

/** Split an event file into records, checking both CRCs of each, and decode each Event. */
export function readEventFile(file: Uint8Array): DecodedEvent[] {
  const events: DecodedEvent[] = [];
  let at = 0;
  while (at < file.length) {
    const header = file.subarray(at, at + 8);
    const length = Number(view(header).getBigUint64(0, true));
    const lengthCrc = view(file.subarray(at + 8, at + 12)).getUint32(0, true);
    if (lengthCrc !== mask(bitwiseCrc32c(header))) throw new Error(`record at ${at}: length CRC mismatch`);
    const data = file.subarray(at + 12, at + 12 + length);
    const dataCrc = view(file.subarray(at + 12 + length, at + 16 + length)).getUint32(0, true);
    if (dataCrc !== mask(bitwiseCrc32c(data))) throw new Error(`record at ${at}: data CRC mismatch`);
    at += 16 + length;

    const event = decodeMessage(data);
    const decoded: DecodedEvent = { wallTime: view(bytesOf(event, 1)[0]!).getFloat64(0, true), step: (event.get(2)?.[0]?.value as number | undefined) ?? 0, values: [] };
    const version = bytesOf(event, 3)[0];
    if (version) decoded.fileVersion = text(version);
    for (const summary of bytesOf(event, 5)) {
      for (const rawValue of bytesOf(decodeMessage(summary), 1)) {
        const value = decodeMessage(rawValue);
        const entry: DecodedEvent['values'][number] = { tag: text(bytesOf(value, 1)[0]!) };
        const simple = bytesOf(value, 2)[0];
        if (simple) entry.simpleValue = view(simple).getFloat32(0, true);
        const image = bytesOf(value, 4)[0];
        if (image) {
          const fields = decodeMessage(image);
          const int = (n: number) => fields.get(n)![0]!.value as number;
          entry.image = { height: int(1), width: int(2), colorspace: int(3), png: bytesOf(fields, 4)[0]! };
        }
        decoded.values.push(entry);
      }
    }
    events.push(decoded);
  }
  return events;
}
