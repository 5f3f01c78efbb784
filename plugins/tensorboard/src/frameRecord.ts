import { maskedCrc32c } from './crc32c.js';

/**
 * One TFRecord: `u64 length`, `u32 masked_crc32c(length bytes)`, the data, `u32 masked_crc32c(data)`, all
 * little-endian (tensorflow/core/lib/io/record_writer.cc).
 */
export function frameRecord(data: Uint8Array): Uint8Array {
  const record = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(record.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(record.subarray(0, 8)), true);
  record.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return record;
}
