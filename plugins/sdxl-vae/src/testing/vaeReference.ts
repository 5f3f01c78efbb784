// Test helpers: reference/vae.safetensors of shared/fixtures/sdxl-tiny (reference/README.md §c). Not part of the build.
// why: this package does not depend on @sdxl-trainer/safetensors; an F32-only reader of the format is a few lines.
import { readFileSync } from 'node:fs';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';

/** Every F32 tensor of reference/vae.safetensors, NCHW as PyTorch saved them. */
export function readVaeReference(): Record<string, { data: Float32Array; shape: number[] }> {
  const bytes = readFileSync(sdxlTinyFixture('reference', 'vae.safetensors'));
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const tensors: Record<string, { data: Float32Array; shape: number[] }> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__' || info.dtype !== 'F32') continue;
    const [begin, end] = info.data_offsets;
    const slice = bytes.subarray(8 + headerLength + begin, 8 + headerLength + end);
    tensors[name] = { data: new Float32Array(slice.buffer.slice(slice.byteOffset, slice.byteOffset + slice.byteLength)), shape: info.shape };
  }
  return tensors;
}

/** Image `index` of an NCHW tensor as an NHWC host tensor. */
export function nhwc(tensor: { data: Float32Array; shape: readonly number[] }, index = 0): { data: Float32Array; shape: number[] } {
  const [, c, h, w] = tensor.shape as [number, number, number, number];
  const out = new Float32Array(h * w * c);
  const base = index * c * h * w;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = tensor.data[base + (k * h + y) * w + x]!;
  return { data: out, shape: [h, w, c] };
}

/** Largest |a − b|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}
