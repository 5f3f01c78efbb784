import '@tensorflow/tfjs-backend-cpu';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, mkdir, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { isSdxlError } from '@sdxl-trainer/errors';
import { SafetensorsReader, decodeFloat16, encodeFloat16, loadSafetensors, writeSafetensors, type TensorToWrite } from '@sdxl-trainer/safetensors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIPTextModel } from './CLIPTextModel.js';
import { CLIPTextModelWithProjection } from './CLIPTextModelWithProjection.js';
import { setTestBackend } from '@sdxl-trainer/tensor';

const root = fileURLToPath(new URL('../../../../../shared/fixtures/sdxl-tiny', import.meta.url));
if (!existsSync(join(root, 'reference', 'README.md'))) {
  throw new Error(`sdxl-tiny fixtures not found at ${root}; they are required (see /work/shared/fixtures)`);
}

let out: string;
beforeAll(async () => {
  await setTestBackend();
  out = await mkdtemp(join(tmpdir(), 'models-roundtrip-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

/** Bitwise equality of float arrays (vitest's deep toEqual walks 1.6M-element embeddings far too slowly). */
function sameBits(actual: Float32Array, expected: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  expect(a.equals(b), `${label}: values differ`).toBe(true);
}

function sameState(actual: Map<string, { shape: readonly number[]; data: Float32Array }>, expected: Map<string, { shape: readonly number[]; data: Float32Array }>): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [name, tensor] of expected) {
    expect(actual.get(name)!.shape, name).toEqual(tensor.shape);
    sameBits(actual.get(name)!.data, tensor.data, name);
  }
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8'));
}

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    expect(isSdxlError(error), String(error)).toBe(true);
    return error as { code: string; message: string };
  }
  throw new Error('expected an error');
}

describe('savePretrained -> fromPretrained', () => {
  for (const [subfolder, Model] of [
    ['text_encoder', CLIPTextModel],
    ['text_encoder_2', CLIPTextModelWithProjection],
  ] as const) {
    it(`${subfolder}: writes the fixture's tensor names, shapes and config, and reads back identical weights`, async () => {
      const before = tf.memory().numTensors;
      const model = await Model.fromPretrained(root, { subfolder });
      const saved = join(out, subfolder);
      await model.savePretrained(saved);
      expect((await readdir(saved)).sort()).toEqual(['config.json', 'model.safetensors']);

      // tensors: same names and shapes as the fixture; every dtype F32 (the fixture's F16 token embedding is upcast
      // exactly at load and written back as F32); values equal to the fixture's after that upcast.
      const fixture = await loadSafetensors(join(root, subfolder, 'model.safetensors'));
      const written = await SafetensorsReader.open(join(saved, 'model.safetensors'));
      expect(written.metadata).toEqual({ format: 'pt' });
      expect(written.keys().sort()).toEqual(Object.keys(fixture).sort());
      expect(fixture['text_model.embeddings.token_embedding.weight']!.dtype).toBe('F16');
      for (const name of written.keys()) {
        expect(written.info(name).shape, name).toEqual(fixture[name]!.shape);
        expect(written.info(name).dtype, name).toBe('F32');
        sameBits(await written.readFloat32(name), fixture[name]!.data as Float32Array, name);
      }
      await written.close();

      // config: the fixture's keys and values (transformers writes the same keys back)
      expect(await readJson(join(saved, 'config.json'))).toEqual(await readJson(join(root, subfolder, 'config.json')));

      const reloaded = await Model.fromPretrained(saved);
      sameState(await reloaded.stateDict(), await model.stateDict());
      model.dispose();
      reloaded.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('writes shards plus an index past maxShardBytes, and reads them back', async () => {
    const model = await CLIPTextModelWithProjection.fromPretrained(root, { subfolder: 'text_encoder_2' });
    const saved = join(out, 'sharded');
    await model.savePretrained(saved, { maxShardBytes: 2_000_000 });
    const files = (await readdir(saved)).sort();
    expect(files).toContain('model.safetensors.index.json');
    expect(files.filter((name) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(name)).length).toBeGreaterThan(1);
    expect(files).not.toContain('model.safetensors');
    const reloaded = await CLIPTextModelWithProjection.fromPretrained(saved);
    sameState(await reloaded.stateDict(), await model.stateDict());
    model.dispose();
    reloaded.dispose();
  });

  it('reads a variant (model.fp16.safetensors, every tensor F16), upcasting exactly', async () => {
    const model = await CLIPTextModel.fromPretrained(root, { subfolder: 'text_encoder' });
    const state = await model.stateDict();
    const folder = join(out, 'variant');
    await mkdir(folder, { recursive: true });
    await copyFile(join(root, 'text_encoder', 'config.json'), join(folder, 'config.json'));
    const tensors: Record<string, TensorToWrite> = {};
    for (const [name, tensor] of state) tensors[name] = { dtype: 'F16', shape: tensor.shape, data: tensor.data };
    await writeSafetensors(join(folder, 'model.fp16.safetensors'), tensors, { format: 'pt' });
    expect((await errorOf(CLIPTextModel.fromPretrained(folder))).code).toBe('FILE_NOT_FOUND');
    const half = await CLIPTextModel.fromPretrained(folder, { variant: 'fp16' });
    for (const [name, tensor] of await half.stateDict()) {
      sameBits(tensor.data, decodeFloat16(encodeFloat16(state.get(name)!.data)), name);
    }
    model.dispose();
    half.dispose();
  });

  it('accepts the position_ids buffer of older checkpoints and refuses weights of the wrong class or dtype', async () => {
    const model = await CLIPTextModel.fromPretrained(root, { subfolder: 'text_encoder' });
    const state = await model.stateDict();
    const folder = join(out, 'legacy');
    await mkdir(folder, { recursive: true });
    await copyFile(join(root, 'text_encoder', 'config.json'), join(folder, 'config.json'));
    const tensors: Record<string, TensorToWrite> = {
      'text_model.embeddings.position_ids': { dtype: 'I64', shape: [1, 77], data: BigInt64Array.from({ length: 77 }, (_, i) => BigInt(i)) },
    };
    for (const [name, tensor] of state) tensors[name] = { dtype: 'F32', shape: tensor.shape, data: tensor.data };
    await writeSafetensors(join(folder, 'model.safetensors'), tensors, { format: 'pt' });
    const legacy = await CLIPTextModel.fromPretrained(folder);
    sameState(await legacy.stateDict(), state);
    legacy.dispose();

    const before = tf.memory().numTensors;
    const wrongClass = await errorOf(CLIPTextModel.fromPretrained(root, { subfolder: 'text_encoder_2' }));
    expect(wrongClass.code).toBe('MODEL_WEIGHTS_MISMATCH');
    expect(wrongClass.message).toContain('1 unexpected (text_projection.weight)');
    const missing = await errorOf(CLIPTextModelWithProjection.fromPretrained(root, { subfolder: 'text_encoder' }));
    expect(missing.message).toContain('1 missing (text_projection.weight)');

    tensors['text_model.final_layer_norm.bias'] = { dtype: 'I32', shape: [32], data: new Int32Array(32) };
    await writeSafetensors(join(folder, 'model.safetensors'), tensors, { format: 'pt' });
    const dtype = await errorOf(CLIPTextModel.fromPretrained(folder));
    expect(dtype.code).toBe('MODEL_WEIGHTS_MISMATCH');
    expect(dtype.message).toContain('text_model.final_layer_norm.bias');
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('saves a model built from a config, and a reload gives the same outputs', async () => {
    const config = { vocab_size: 64, hidden_size: 16, intermediate_size: 24, num_attention_heads: 4, num_hidden_layers: 2, projection_dim: 8, hidden_act: 'quick_gelu', eos_token_id: 63 };
    const model = CLIPTextModelWithProjection.fromConfig(config, 99);
    const saved = join(out, 'from-config');
    await model.savePretrained(saved);
    const json = (await readJson(join(saved, 'config.json'))) as Record<string, unknown>;
    expect(json).toMatchObject({ ...config, architectures: ['CLIPTextModelWithProjection'], model_type: 'clip_text_model', torch_dtype: 'float32', layer_norm_eps: 1e-5 });
    const reloaded = await CLIPTextModelWithProjection.fromPretrained(saved);
    const ids = tf.tensor2d([[1, 5, 63, 0, 0]], [1, 5], 'int32');
    expect(Array.from(reloaded.forward(ids).textEmbeds.dataSync())).toEqual(Array.from(model.forward(ids).textEmbeds.dataSync()));
    model.dispose();
    reloaded.dispose();
  });
});
