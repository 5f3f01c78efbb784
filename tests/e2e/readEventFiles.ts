import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the TensorBoard event files of a folder hold: scalars by tag and step, and the tags that carry images. */
export interface EventFileContents {
  /** The event files read, oldest first. */
  readonly files: readonly string[];
  /** tag → step → value (a later file wins for a step logged twice, e.g. after a resume). */
  readonly scalars: ReadonlyMap<string, ReadonlyMap<number, number>>;
  /** tag → steps with an image summary. */
  readonly images: ReadonlyMap<string, readonly number[]>;
}

/**
 * Reads every `events.out.tfevents.*` file of `logDir` with a reader of its own (the TFRecord framing with its
 * masked CRC-32C checked bit by bit, and the protobuf wire format of tensorflow's event.proto / summary.proto),
 * independent of the writer in @sdxl-trainer/plugin-tensorboard. A damaged record is an error naming the file.
 */
export function readEventFiles(logDir: string): EventFileContents {
  const files = readdirSync(logDir)
    .filter((name) => name.startsWith('events.out.tfevents.'))
    .sort((a, b) => Number(a.split('.')[3]) - Number(b.split('.')[3]) || (a < b ? -1 : 1))
    .map((name) => join(logDir, name));
  const scalars = new Map<string, Map<number, number>>();
  const images = new Map<string, number[]>();
  for (const file of files) {
    for (const record of records(file)) {
      const event = fields(record);
      const step = Number(event.get(2)?.[0] ?? 0);
      for (const summary of event.get(5) ?? []) {
        for (const value of fields(summary as Uint8Array).get(1) ?? []) {
          const parts = fields(value as Uint8Array);
          const tag = new TextDecoder().decode(parts.get(1)![0] as Uint8Array);
          const simple = parts.get(2)?.[0];
          if (simple !== undefined) {
            const bytes = simple as Uint8Array;
            const map = scalars.get(tag) ?? new Map<number, number>();
            map.set(step, new DataView(bytes.buffer, bytes.byteOffset, 4).getFloat32(0, true));
            scalars.set(tag, map);
          }
          if (parts.has(4)) images.set(tag, [...(images.get(tag) ?? []), step]);
        }
      }
    }
  }
  return { files, scalars, images };
}

/** The records of a TFRecord file: u64 length, u32 masked CRC of it, the bytes, u32 masked CRC of them (little-endian). */
function* records(file: string): Generator<Uint8Array> {
  const bytes = new Uint8Array(readFileSync(file));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw new Error(`${file}: truncated record header at byte ${at}`);
    const length = Number(view.getBigUint64(at, true));
    if (view.getUint32(at + 8, true) !== maskedCrc(bytes.subarray(at, at + 8))) throw new Error(`${file}: bad length CRC at byte ${at}`);
    const data = bytes.subarray(at + 12, at + 12 + length);
    if (data.length !== length || at + 16 + length > bytes.length) throw new Error(`${file}: truncated record at byte ${at}`);
    if (view.getUint32(at + 12 + length, true) !== maskedCrc(data)) throw new Error(`${file}: bad data CRC at byte ${at}`);
    yield data;
    at += 16 + length;
  }
}

/** CRC-32C (Castagnoli, reflected polynomial 0x82f63b78) bit by bit, masked as TFRecord does: rotate right 15, add 0xa282ead8. */
function maskedCrc(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  crc = (crc ^ 0xffffffff) >>> 0;
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** One protobuf message's fields by number: varints as bigint, everything else as bytes. */
function fields(message: Uint8Array): Map<number, Array<bigint | Uint8Array>> {
  const out = new Map<number, Array<bigint | Uint8Array>>();
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      const byte = message[at++]!;
      value |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if (byte < 0x80) return value;
    }
  };
  while (at < message.length) {
    const key = Number(varint());
    const [number, wire] = [key >>> 3, key & 7];
    let value: bigint | Uint8Array;
    if (wire === 0) value = varint();
    else if (wire === 1 || wire === 5) value = message.subarray(at, (at += wire === 1 ? 8 : 4));
    else if (wire === 2) {
      const length = Number(varint());
      value = message.subarray(at, (at += length));
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    out.set(number, [...(out.get(number) ?? []), value]);
  }
  return out;
}
