import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadSafetensors, SafetensorsReader } from '@sdxl-trainer/safetensors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureRoot } from '../testing/fixture.js';
import { AutoencoderKL } from '../vae/AutoencoderKL.js';
import { UNet2DConditionModel } from './UNet2DConditionModel.js';
import { setTestBackend } from '@sdxl-trainer/tensor';

let out: string;
beforeAll(async () => {
  await setTestBackend();
  out = await mkdtemp(join(tmpdir(), 'models-diffusers-roundtrip-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

const readJson = async (path: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(path, 'utf8'));

/** Bitwise equality of float arrays. */
function sameBits(actual: Float32Array, expected: Float32Array, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  expect(Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)), `${label}: values differ`).toBe(true);
}

describe('diffusers folders: savePretrained -> fromPretrained', () => {
  for (const [subfolder, Model] of [
    ['unet', UNet2DConditionModel],
    ['vae', AutoencoderKL],
  ] as const) {
    it(`${subfolder}: the fixture's file names, tensor names, shapes, values and config.json; identical tensors after reloading`, async () => {
      const before = tf.memory().numTensors;
      const model = await Model.fromPretrained(fixtureRoot(), { subfolder });
      const saved = join(out, subfolder);
      await model.savePretrained(saved);
      expect((await readdir(saved)).sort()).toEqual((await readdir(join(fixtureRoot(), subfolder))).sort());
      const fixture = await loadSafetensors(join(fixtureRoot(), subfolder, 'diffusion_pytorch_model.safetensors'));
      const written = await SafetensorsReader.open(join(saved, 'diffusion_pytorch_model.safetensors'));
      expect(written.keys().sort()).toEqual(Object.keys(fixture).sort());
      for (const name of written.keys()) {
        expect(written.info(name).shape, name).toEqual(fixture[name]!.shape);
        expect(written.info(name).dtype, name).toBe('F32');
        sameBits(await written.readFloat32(name), fixture[name]!.data as Float32Array, name);
      }
      await written.close();
      expect(await readJson(join(saved, 'config.json'))).toEqual(await readJson(join(fixtureRoot(), subfolder, 'config.json')));
      const reloaded = await Model.fromPretrained(saved);
      const [a, b] = [await reloaded.stateDict(), await model.stateDict()];
      expect([...a.keys()]).toEqual([...b.keys()]);
      for (const [name, tensor] of b) sameBits(a.get(name)!.data, tensor.data, name);
      model.dispose();
      reloaded.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('a UNet built from a partial config is saved with every diffusers 0.27 key, and reloads to the same outputs', async () => {
    const config = { block_out_channels: [8, 16], down_block_types: ['DownBlock2D', 'CrossAttnDownBlock2D'], up_block_types: ['CrossAttnUpBlock2D', 'UpBlock2D'], norm_num_groups: 4, attention_head_dim: 2, cross_attention_dim: 6, layers_per_block: 1 };
    const model = UNet2DConditionModel.fromConfig(config, 7);
    const saved = join(out, 'unet-from-config');
    await model.savePretrained(saved);
    const json = await readJson(join(saved, 'config.json'));
    const fixtureKeys = Object.keys(await readJson(join(fixtureRoot(), 'unet', 'config.json')));
    // diffusers writes every __init__ argument, so the keys are the fixture's (a config saved by diffusers 0.27.2)
    expect(Object.keys(json).sort()).toEqual(fixtureKeys.sort());
    const reloaded = await UNet2DConditionModel.fromPretrained(saved);
    const x = tf.randomNormal([1, 8, 8, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
    const context = tf.randomNormal([1, 3, 6], 0, 1, 'float32', 2) as tf.Tensor3D;
    expect(Array.from(reloaded.forward(x, 5, context).dataSync())).toEqual(Array.from(model.forward(x, 5, context).dataSync()));
    model.dispose();
    reloaded.dispose();
  });
});
