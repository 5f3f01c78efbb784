// Test helpers for the sdxl-tiny PyTorch fixture (shared/fixtures/sdxl-tiny). Not part of the package build.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsReader } from '@sdxl-trainer/safetensors';

/** The fixture folder; throws (never skips) when it is missing. */
export function fixtureRoot(): string {
  const root = fileURLToPath(new URL('../../../../../shared/fixtures/sdxl-tiny', import.meta.url));
  if (!existsSync(join(root, 'reference', 'README.md'))) {
    throw new Error(`sdxl-tiny fixtures not found at ${root}; they are required (see /work/shared/fixtures)`);
  }
  return root;
}

/** Opens reference/<file>.safetensors. */
export function openReference(file: string): Promise<SafetensorsReader> {
  return SafetensorsReader.open(join(fixtureRoot(), 'reference', file));
}

/** A reference tensor as float32 with its shape. */
export async function readReference(reader: SafetensorsReader, name: string): Promise<{ shape: number[]; data: Float32Array }> {
  return { shape: [...reader.info(name).shape], data: await reader.readFloat32(name) };
}

/** A PyTorch NCHW reference tensor as a tfjs NHWC tensor (transpose [0, 2, 3, 1]). */
export async function readNhwc(reader: SafetensorsReader, name: string): Promise<tf.Tensor4D> {
  const { shape, data } = await readReference(reader, name);
  return tf.tidy(() => tf.transpose(tf.tensor4d(data, shape as [number, number, number, number]), [0, 2, 3, 1]));
}

/** An int64 reference tensor as int32 (all fixture values are < 2^31). */
export async function readInt32(reader: SafetensorsReader, name: string): Promise<tf.Tensor> {
  return tf.tensor(await reader.readInt32(name), [...reader.info(name).shape], 'int32');
}

/** Max |a − b| over two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Max |actual − reference| where actual is NHWC and the reference NCHW (compared in PyTorch layout). */
export async function maxErrorNchw(actual: tf.Tensor4D, reader: SafetensorsReader, name: string): Promise<number> {
  const { shape, data } = await readReference(reader, name);
  const nchw = tf.transpose(actual, [0, 3, 1, 2]);
  const [n, c, h, w] = nchw.shape;
  if ([n, c, h, w].join() !== shape.join()) throw new Error(`${name}: shape [${nchw.shape.join(', ')}] != reference [${shape.join(', ')}]`);
  const values = await nchw.data();
  nchw.dispose();
  return maxAbsDiff(values, data);
}
