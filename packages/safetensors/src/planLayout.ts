import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { DTYPE_BYTES, DTYPES, dtypeLayoutRank, elementCount, isDtype } from './dtype.js';
import type { TensorToWrite } from './TensorToWrite.js';

/** One tensor's place in a file about to be written. */
export interface PlannedTensor {
  readonly name: string;
  readonly tensor: TensorToWrite;
  /** Offsets relative to the start of the data section. */
  readonly begin: number;
  readonly end: number;
}

/** The bytes before the data and where each tensor goes. */
export interface Layout {
  /** 8-byte little-endian header length followed by the JSON header padded with spaces to a multiple of 8. */
  readonly prefix: Uint8Array;
  readonly tensors: readonly PlannedTensor[];
  readonly dataLength: number;
}

/**
 * Validates names, dtypes, shapes and metadata, orders the tensors (dtype as huggingface's safetensors does, then
 * name by UTF-8 bytes) and builds the header: compact JSON, `__metadata__` first when given.
 */
export function planLayout(file: string, tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): Layout {
  const invalid = (what: string, details?: Record<string, unknown>): SdxlError =>
    new SdxlError(ErrorCode.SAFETENSORS_INVALID, `${file}: cannot write safetensors: ${what}`, { details: { file, ...details } });
  const entries = Object.entries(tensors);
  for (const [name, tensor] of entries) {
    if (name === '' || name === '__metadata__') throw invalid(`tensor name ${JSON.stringify(name)} is reserved or empty`, { tensor: name });
    if (!isDtype(tensor.dtype)) {
      throw new SdxlError(
        ErrorCode.SAFETENSORS_UNSUPPORTED_DTYPE,
        `${file}: tensor "${name}" has dtype ${JSON.stringify(tensor.dtype)}; supported dtypes are ${DTYPES.join(', ')}`,
        { details: { file, tensor: name, dtype: tensor.dtype } },
      );
    }
    if (!Array.isArray(tensor.shape) || !tensor.shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
      throw invalid(`tensor "${name}" has shape ${JSON.stringify(tensor.shape)}; expected non-negative integers`, { tensor: name });
    }
  }
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw invalid(`metadata "${key}" is ${JSON.stringify(value)}; metadata values must be strings`);
    }
  }

  const sorted = entries
    .map(([name, tensor]) => ({ name, tensor, key: Buffer.from(name, 'utf8') }))
    .sort((a, b) => dtypeLayoutRank(a.tensor.dtype) - dtypeLayoutRank(b.tensor.dtype) || Buffer.compare(a.key, b.key));
  const planned: PlannedTensor[] = [];
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const { name, tensor } of sorted) {
    const end = offset + elementCount(tensor.shape) * DTYPE_BYTES[tensor.dtype];
    planned.push({ name, tensor, begin: offset, end });
    // why: defineProperty, so a tensor named "__proto__" becomes a key rather than the prototype.
    Object.defineProperty(header, name, {
      value: { dtype: tensor.dtype, shape: [...tensor.shape], data_offsets: [offset, end] },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    offset = end;
  }

  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  const prefix = new Uint8Array(8 + padded).fill(0x20);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(padded), true);
  prefix.set(json, 8);
  return { prefix, tensors: planned, dataLength: offset };
}
