import type { FileHandle } from 'node:fs/promises';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

// why: one read() call moves at most ~2 GiB on some platforms and may return fewer bytes than asked.
const MAX_READ_BYTES = 1 << 30;

/** Reads exactly `length` bytes at `position` of an open file into a fresh, 8-byte-aligned Uint8Array. */
export async function readRange(handle: FileHandle, position: number, length: number, file: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(bytes, done, Math.min(MAX_READ_BYTES, length - done), position + done);
    if (bytesRead === 0) {
      throw new SdxlError(ErrorCode.SAFETENSORS_INVALID, `${file}: unexpected end of file at byte ${position + done} (expected ${length} bytes from ${position})`, {
        details: { file, position, length },
      });
    }
    done += bytesRead;
  }
  return bytes;
}
