import { open, type FileHandle } from 'node:fs/promises';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { parseHeader, type ParsedHeader } from './parseHeader.js';
import { readRange } from './readRange.js';

/** Largest JSON header accepted, as in huggingface's safetensors (`MAX_HEADER_SIZE`, 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/** One opened .safetensors file and its validated header. */
export interface OpenShard extends ParsedHeader {
  readonly file: string;
  readonly handle: FileHandle;
}

/** Opens one .safetensors file and validates its header; the data stays on disk. */
export async function openShard(file: string): Promise<OpenShard> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? ErrorCode.FILE_NOT_FOUND : ErrorCode.SAFETENSORS_INVALID;
    throw new SdxlError(code, `${file}: cannot open safetensors file (${(cause as Error).message})`, { details: { file }, cause });
  }
  try {
    const header = await readHeader(handle, file);
    return { ...header, file, handle };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function readHeader(handle: FileHandle, file: string): Promise<ParsedHeader> {
  const { size } = await handle.stat();
  if (size < 8) {
    throw new SdxlError(ErrorCode.SAFETENSORS_INVALID, `${file}: ${size} bytes is too short for a safetensors file (at least 8 needed)`, {
      details: { file, size },
    });
  }
  const lengthBytes = await readRange(handle, 0, 8, file);
  const headerLength = new DataView(lengthBytes.buffer).getBigUint64(0, true);
  // why: check the declared length against hard bounds before allocating anything, so a hostile file cannot make us
  // allocate gigabytes.
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw new SdxlError(ErrorCode.SAFETENSORS_INVALID, `${file}: header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`, {
      details: { file, headerLength: headerLength.toString() },
    });
  }
  if (headerLength > BigInt(size - 8)) {
    throw new SdxlError(ErrorCode.SAFETENSORS_INVALID, `${file}: header length ${headerLength} is larger than the ${size - 8} bytes after the length field`, {
      details: { file, headerLength: headerLength.toString(), size },
    });
  }
  const length = Number(headerLength);
  const headerBytes = await readRange(handle, 8, length, file);
  return parseHeader(headerBytes, file, size - 8 - length);
}
