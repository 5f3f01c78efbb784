import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { SafetensorsReader } from '@sdxl-trainer/safetensors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureRoot, maxErrorNchw, openReference, readInt32, readNhwc, readReference } from '../testing/fixture.js';
import { UNet2DConditionModel } from './UNet2DConditionModel.js';
import { setTestBackend } from '@sdxl-trainer/tensor';

// PyTorch reference: reference/README.md §d (diffusers 0.27.2 UNet2DConditionModel, float32, CPU). Tolerance 1e-4
// absolute (the fixture's suggested atol for UNet outputs, values O(1)).
const TOLERANCE = 1e-4;

let reference: SafetensorsReader;
let unet: UNet2DConditionModel;
beforeAll(async () => {
  await setTestBackend();
  reference = await openReference('unet_forward.safetensors');
  unet = await UNet2DConditionModel.fromPretrained(fixtureRoot(), { subfolder: 'unet' });
});
afterAll(async () => {
  await reference.close();
  unet.dispose();
});

async function inputs() {
  const tensor2d = async (name: string) => {
    const { shape, data } = await readReference(reference, name);
    return tf.tensor2d(data, shape as [number, number]);
  };
  const context = await readReference(reference, 'encoder_hidden_states');
  return {
    sample: await readNhwc(reference, 'sample'),
    timesteps: await readInt32(reference, 'timesteps'),
    context: tf.tensor3d(context.data, context.shape as [number, number, number]),
    textEmbeds: await tensor2d('text_embeds'),
    timeIds: await tensor2d('time_ids'),
  };
}

describe('UNet2DConditionModel against diffusers (sdxl-tiny unet)', () => {
  it(`has the fixture's 1976516 parameters, trainable by default`, () => {
    expect(unet.parameterCount()).toBe(1976516);
    expect(unet.parameterCount(true)).toBe(1976516);
  });

  it(`forward matches unet(...).sample within ${TOLERANCE}, plain and with chunked attention`, async () => {
    const { sample, timesteps, context, textEmbeds, timeIds } = await inputs();
    const out = unet.forward(sample, timesteps, context, { textEmbeds, timeIds });
    const error = await maxErrorNchw(out, reference, 'out');
    unet.setAttentionChunkSize(7);
    const chunked = unet.forward(sample, timesteps, context, { textEmbeds, timeIds });
    unet.setAttentionChunkSize(undefined);
    const chunkedError = await maxErrorNchw(chunked, reference, 'out');
    console.log('UNet forward max abs error', { plain: error, chunked: chunkedError });
    expect(error).toBeLessThanOrEqual(TOLERANCE);
    expect(chunkedError).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([sample, timesteps, context, textEmbeds, timeIds, out, chunked]);
  });
});
