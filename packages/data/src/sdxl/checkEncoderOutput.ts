import type { HostTensor } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/**
 * Check what an encoder returned: one float32 tensor per input, each of rank `rank` and, where `shape` gives a
 * number, that size. Throws `DATA_ENCODER_OUTPUT_INVALID` naming the encoder and the first wrong tensor.
 */
export function checkEncoderOutput(
  encoder: string,
  what: string,
  tensors: readonly HostTensor[] | undefined,
  count: number,
  shape: readonly (number | undefined)[],
): HostTensor[] {
  const fail = (reason: string): never => {
    throw new SdxlError(ErrorCode.DATA_ENCODER_OUTPUT_INVALID, `${encoder} returned ${what} that cannot be cached: ${reason}`, { details: { encoder, what, reason } });
  };
  if (!Array.isArray(tensors) || tensors.length !== count) return fail(`expected ${count} tensors, got ${Array.isArray(tensors) ? tensors.length : typeof tensors}`);
  tensors.forEach((t, i) => {
    const ok = t.shape.length === shape.length && shape.every((d, j) => d === undefined || t.shape[j] === d);
    if (!ok) fail(`tensor ${i} has shape [${t.shape.join(', ')}], expected [${shape.map((d) => d ?? '*').join(', ')}]`);
    if (!(t.data instanceof Float32Array)) fail(`tensor ${i} is not float32`);
    if (t.data.length !== t.shape.reduce((a: number, b: number) => a * b, 1)) fail(`tensor ${i} has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
  });
  return [...tensors];
}
