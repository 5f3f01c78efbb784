import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { DTYPE_BYTES, DTYPES, elementCount, isDtype } from './dtype.js';
import type { TensorInfo } from './TensorInfo.js';

/** A validated safetensors header. */
export interface ParsedHeader {
  readonly metadata: Readonly<Record<string, string>>;
  /** Tensors in the order of their data in the file. */
  readonly tensors: readonly TensorInfo[];
}

/**
 * Parses and validates the JSON header of `file` (its bytes after the 8-byte length): every entry has a known dtype,
 * a shape of non-negative integers and `data_offsets` inside the data section whose length is shape × dtype size,
 * and no two tensors overlap.
 */
export function parseHeader(headerBytes: Uint8Array, file: string, dataLength: number): ParsedHeader {
  const invalid = (what: string, details?: Record<string, unknown>): SdxlError =>
    new SdxlError(ErrorCode.SAFETENSORS_INVALID, `${file}: invalid safetensors header: ${what}`, { details: { file, ...details } });

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch (cause) {
    throw new SdxlError(ErrorCode.SAFETENSORS_INVALID, `${file}: the safetensors header is not valid UTF-8`, { details: { file }, cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new SdxlError(ErrorCode.SAFETENSORS_INVALID, `${file}: the safetensors header is not valid JSON (${(cause as Error).message})`, {
      details: { file },
      cause,
    });
  }
  if (!isPlainObject(json)) throw invalid('expected a JSON object at the top level');

  let metadata: Readonly<Record<string, string>> = Object.freeze({});
  const tensors: TensorInfo[] = [];
  const headerEnd = 8 + headerBytes.length;
  for (const [name, entry] of Object.entries(json)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(entry, invalid);
      continue;
    }
    if (!isPlainObject(entry)) throw invalid(`tensor "${name}" must be an object`, { tensor: name });
    const { dtype, shape, data_offsets: offsets } = entry;
    if (!isDtype(dtype)) {
      throw new SdxlError(
        ErrorCode.SAFETENSORS_UNSUPPORTED_DTYPE,
        `${file}: tensor "${name}" has dtype ${JSON.stringify(dtype)}; supported dtypes are ${DTYPES.join(', ')}`,
        { details: { file, tensor: name, dtype } },
      );
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
      throw invalid(`tensor "${name}" has shape ${JSON.stringify(shape)}; expected an array of non-negative integers`, { tensor: name });
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
      throw invalid(`tensor "${name}" has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] non-negative integers`, {
        tensor: name,
      });
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength) {
      throw invalid(`tensor "${name}" has data_offsets [${begin}, ${end}] outside the data section of ${dataLength} bytes`, { tensor: name });
    }
    const expected = elementCount(shape as number[]) * DTYPE_BYTES[dtype];
    if (end - begin !== expected) {
      throw invalid(
        `tensor "${name}" (${dtype} ${JSON.stringify(shape)}) spans ${end - begin} bytes; its shape and dtype need ${expected}`,
        { tensor: name },
      );
    }
    tensors.push(
      Object.freeze({ name, dtype, shape: Object.freeze([...(shape as number[])]), byteOffset: headerEnd + begin, byteLength: end - begin, file }),
    );
  }

  tensors.sort((a, b) => a.byteOffset - b.byteOffset || a.byteLength - b.byteLength);
  // why: an empty tensor occupies no bytes, so it can sit anywhere; the furthest end so far catches every overlap.
  let reach: TensorInfo | undefined;
  for (const tensor of tensors) {
    if (tensor.byteLength === 0) continue;
    if (reach !== undefined && tensor.byteOffset < reach.byteOffset + reach.byteLength) {
      throw invalid(`tensors "${reach.name}" and "${tensor.name}" overlap`, { tensor: tensor.name });
    }
    if (reach === undefined || tensor.byteOffset + tensor.byteLength > reach.byteOffset + reach.byteLength) reach = tensor;
  }
  return { metadata, tensors };
}

function parseMetadata(value: unknown, invalid: (what: string) => SdxlError): Readonly<Record<string, string>> {
  if (!isPlainObject(value)) throw invalid('__metadata__ must be an object of strings');
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw invalid(`__metadata__.${key} is ${JSON.stringify(entry)}; metadata values must be strings`);
  }
  return Object.freeze({ ...(value as Record<string, string>) });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
