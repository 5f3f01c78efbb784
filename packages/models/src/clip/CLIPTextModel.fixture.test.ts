import '@tensorflow/tfjs-backend-cpu';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsReader } from '@sdxl-trainer/safetensors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIPTextModel } from './CLIPTextModel.js';
import { CLIPTextModelWithProjection } from './CLIPTextModelWithProjection.js';
import { setTestBackend } from '@sdxl-trainer/tensor';

// PyTorch reference: reference/README.md §b (transformers 4.39.0.dev0, float32, CPU). Suggested tolerance: atol 1e-4.
const root = fileURLToPath(new URL('../../../../../shared/fixtures/sdxl-tiny', import.meta.url));
if (!existsSync(join(root, 'reference', 'README.md'))) {
  throw new Error(`sdxl-tiny fixtures not found at ${root}; they are required (see /work/shared/fixtures)`);
}
const TOLERANCE = 1e-4;

let reference: SafetensorsReader;
let idsFile: SafetensorsReader;
beforeAll(async () => {
  await setTestBackend();
  reference = await SafetensorsReader.open(join(root, 'reference', 'text_encoders.safetensors'));
  idsFile = await SafetensorsReader.open(join(root, 'reference', 'tokenizers.safetensors'));
});
afterAll(async () => {
  await reference.close();
  await idsFile.close();
});

async function ids(name: string): Promise<tf.Tensor2D> {
  const info = idsFile.info(name);
  return tf.tensor2d(await idsFile.readInt32(name), [info.shape[0]!, info.shape[1]!], 'int32');
}

/** Max |actual - expected| after checking the shape against the reference tensor's. */
async function maxError(actual: tf.Tensor, name: string): Promise<number> {
  const info = reference.info(name);
  expect(actual.shape, name).toEqual(info.shape);
  const expected = await reference.readFloat32(name);
  const values = await actual.data();
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(values[i]! - expected[i]!));
  return worst;
}

describe('CLIPTextModel (text_encoder) against transformers', () => {
  it(`matches hidden_states[0], hidden_states[-2], last_hidden_state and pooler_output within ${TOLERANCE}`, async () => {
    const model = await CLIPTextModel.fromPretrained(root, { subfolder: 'text_encoder' });
    const input = await ids('input_ids_1');
    const out = model.forward(input, { outputHiddenStates: true });
    const hidden = out.hiddenStates!;
    expect(hidden).toHaveLength(model.config.num_hidden_layers + 1);
    const errors = {
      te1_hidden_states_0: await maxError(hidden[0]!, 'te1_hidden_states_0'),
      te1_hidden_states_m2: await maxError(hidden.at(-2)!, 'te1_hidden_states_m2'),
      te1_last_hidden_state: await maxError(out.lastHiddenState, 'te1_last_hidden_state'),
      te1_pooler_output: await maxError(out.poolerOutput, 'te1_pooler_output'),
    };
    console.log('text_encoder max abs errors', errors);
    for (const [name, error] of Object.entries(errors)) expect(error, name).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([input, out.lastHiddenState, out.poolerOutput, ...hidden]);
    model.dispose();
  });
});

describe('CLIPTextModelWithProjection (text_encoder_2) against transformers', () => {
  it(`matches hidden_states[0], hidden_states[-2], last_hidden_state and text_embeds within ${TOLERANCE}`, async () => {
    const model = await CLIPTextModelWithProjection.fromPretrained(root, { subfolder: 'text_encoder_2' });
    const input = await ids('input_ids_2');
    const out = model.forward(input, { outputHiddenStates: true });
    const hidden = out.hiddenStates!;
    const errors = {
      te2_hidden_states_0: await maxError(hidden[0]!, 'te2_hidden_states_0'),
      te2_hidden_states_m2: await maxError(hidden.at(-2)!, 'te2_hidden_states_m2'),
      te2_last_hidden_state: await maxError(out.lastHiddenState, 'te2_last_hidden_state'),
      te2_text_embeds: await maxError(out.textEmbeds, 'te2_text_embeds'),
      pooled_prompt_embeds: await maxError(out.textEmbeds, 'pooled_prompt_embeds'),
    };
    console.log('text_encoder_2 max abs errors', errors);
    for (const [name, error] of Object.entries(errors)) expect(error, name).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([input, out.lastHiddenState, out.poolerOutput, out.textEmbeds, ...hidden]);
    model.dispose();
  });
});

describe('SDXL prompt embeddings from both encoders', () => {
  it(`cat(text_encoder hidden_states[-2], text_encoder_2 hidden_states[-2]) matches encode_prompt's prompt_embeds within ${TOLERANCE}`, async () => {
    const te1 = await CLIPTextModel.fromPretrained(root, { subfolder: 'text_encoder' });
    const te2 = await CLIPTextModelWithProjection.fromPretrained(root, { subfolder: 'text_encoder_2' });
    const [ids1, ids2] = [await ids('input_ids_1'), await ids('input_ids_2')];
    const embeds = tf.tidy(() => tf.concat([te1.forward(ids1, { outputHiddenStates: true }).hiddenStates!.at(-2)!, te2.forward(ids2, { outputHiddenStates: true }).hiddenStates!.at(-2)!], -1));
    const error = await maxError(embeds, 'prompt_embeds');
    console.log('prompt_embeds max abs error', error);
    expect(error).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([embeds, ids1, ids2]);
    te1.dispose();
    te2.dispose();
  });
});
