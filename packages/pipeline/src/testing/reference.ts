// Test helpers: the sdxl-tiny PyTorch fixture (shared/fixtures/sdxl-tiny). Not part of the package build.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsReader } from '@sdxl-trainer/safetensors';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';

/** The fixture's model folder (throws when missing). */
export function fixtureFolder(): string {
  return sdxlTinyFixture();
}

/** reference/values.json `pipeline` section: how the reference run was made. */
export interface PipelineValues {
  readonly prompt: string;
  readonly guidance_scale: number;
  readonly num_inference_steps: number;
  readonly height: number;
  readonly width: number;
  readonly force_zeros_for_empty_prompt: boolean;
  readonly vae_scale_factor: number;
}

/** The `pipeline` values of reference/values.json. */
export function pipelineValues(): PipelineValues {
  return (JSON.parse(readFileSync(sdxlTinyFixture('reference', 'values.json'), 'utf8')) as { pipeline: PipelineValues }).pipeline;
}

/** Opens reference/<file>. */
export function openReference(file: string): Promise<SafetensorsReader> {
  return SafetensorsReader.open(sdxlTinyFixture('reference', file));
}

/** A reference tensor as float32 tfjs, in its stored layout. */
export async function readTensor(reader: SafetensorsReader, name: string): Promise<tf.Tensor> {
  return tf.tensor(await reader.readFloat32(name), [...reader.info(name).shape], 'float32');
}

/** A PyTorch NCHW reference `[N, C, H, W]` (or `[S, N, C, H, W]`, per step) as NHWC. */
export async function readNhwc(reader: SafetensorsReader, name: string): Promise<tf.Tensor> {
  const tensor = await readTensor(reader, name);
  const perm = tensor.rank === 5 ? [0, 1, 3, 4, 2] : [0, 2, 3, 1];
  const out = tf.transpose(tensor, perm);
  tensor.dispose();
  return out;
}

/** Max |a − b|; throws on different shapes or lengths. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Max |a − b| of two tensors of the same shape. */
export async function maxTensorDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  if (a.shape.join() !== b.shape.join()) throw new Error(`shape [${a.shape.join(', ')}] != [${b.shape.join(', ')}]`);
  return maxAbsDiff(await a.data(), await b.data());
}
