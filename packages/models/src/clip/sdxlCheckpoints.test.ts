import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIPTextModel } from './CLIPTextModel.js';
import { CLIPTextModelWithProjection } from './CLIPTextModelWithProjection.js';
import { setTestBackend } from '@sdxl-trainer/tensor';

// stabilityai/stable-diffusion-xl-base-1.0 text_encoder/config.json and text_encoder_2/config.json. The search index
// holds no copy of stabilityai's own files; these are the configs as re-saved from stabilityai's snapshots by
// transformers' save_pretrained, e.g. https://huggingface.co/pcuenq/stable-diffusion-xl-base-1.0-flax/blob/refs%2Fpr%2F3/text_encoder/config.json
// ("_name_or_path": ".../models--stabilityai--stable-diffusion-xl-base-1.0/snapshots/47cd5302.../text_encoder") and
// https://huggingface.co/diffusers/stable-diffusion-xl-1.0-inpainting-0.1/blame/main/text_encoder_2/config.json
// (".../snapshots/bf714989.../text_encoder_2"). Every copy found (10+, transformers 4.29-4.48) has these exact values.
const TEXT_ENCODER = {
  _name_or_path: '/home/pedro/.cache/huggingface/hub/models--stabilityai--stable-diffusion-xl-base-1.0/snapshots/47cd5302d866fa60cf8fb81f0e34d42e38f6100c/text_encoder',
  architectures: ['CLIPTextModel'],
  attention_dropout: 0.0,
  bos_token_id: 0,
  dropout: 0.0,
  eos_token_id: 2,
  hidden_act: 'quick_gelu',
  hidden_size: 768,
  initializer_factor: 1.0,
  initializer_range: 0.02,
  intermediate_size: 3072,
  layer_norm_eps: 1e-5,
  max_position_embeddings: 77,
  model_type: 'clip_text_model',
  num_attention_heads: 12,
  num_hidden_layers: 12,
  pad_token_id: 1,
  projection_dim: 768,
  torch_dtype: 'float32',
  transformers_version: '4.32.0.dev0',
  vocab_size: 49408,
};
const TEXT_ENCODER_2 = {
  _name_or_path: '/home/suraj_huggingface_co/.cache/huggingface/hub/models--stabilityai--stable-diffusion-xl-base-1.0/snapshots/bf714989e22c57ddc1c453bf74dab4521acb81d8/text_encoder_2',
  architectures: ['CLIPTextModelWithProjection'],
  attention_dropout: 0.0,
  bos_token_id: 0,
  dropout: 0.0,
  eos_token_id: 2,
  hidden_act: 'gelu',
  hidden_size: 1280,
  initializer_factor: 1.0,
  initializer_range: 0.02,
  intermediate_size: 5120,
  layer_norm_eps: 1e-5,
  max_position_embeddings: 77,
  model_type: 'clip_text_model',
  num_attention_heads: 20,
  num_hidden_layers: 32,
  pad_token_id: 1,
  projection_dim: 1280,
  torch_dtype: 'float16',
  transformers_version: '4.29.2',
  vocab_size: 49408,
};

/**
 * The state dict names and shapes of transformers' CLIPTextModel / CLIPTextModelWithProjection, written from
 * modeling_clip.py's module tree: CLIPTextTransformer(embeddings{token_embedding, position_embedding},
 * encoder.layers[i]{self_attn{k,v,q,out}_proj, layer_norm1, mlp{fc1, fc2}, layer_norm2}, final_layer_norm), nn.Linear
 * weights [out, in], plus text_projection (no bias) for the projection model.
 */
function transformersStateShapes(c: typeof TEXT_ENCODER, withProjection: boolean): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const h = c.hidden_size;
  shapes.set('text_model.embeddings.token_embedding.weight', [c.vocab_size, h]);
  shapes.set('text_model.embeddings.position_embedding.weight', [c.max_position_embeddings, h]);
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const p = `text_model.encoder.layers.${i}`;
    for (const proj of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) {
      shapes.set(`${p}.self_attn.${proj}.weight`, [h, h]);
      shapes.set(`${p}.self_attn.${proj}.bias`, [h]);
    }
    for (const norm of ['layer_norm1', 'layer_norm2']) {
      shapes.set(`${p}.${norm}.weight`, [h]);
      shapes.set(`${p}.${norm}.bias`, [h]);
    }
    shapes.set(`${p}.mlp.fc1.weight`, [c.intermediate_size, h]);
    shapes.set(`${p}.mlp.fc1.bias`, [c.intermediate_size]);
    shapes.set(`${p}.mlp.fc2.weight`, [h, c.intermediate_size]);
    shapes.set(`${p}.mlp.fc2.bias`, [h]);
  }
  shapes.set('text_model.final_layer_norm.weight', [h]);
  shapes.set('text_model.final_layer_norm.bias', [h]);
  if (withProjection) shapes.set('text_projection.weight', [c.projection_dim, h]);
  return shapes;
}

const sorted = (shapes: Map<string, readonly number[]>) => [...shapes].map(([name, shape]) => [name, [...shape]]).sort(([a], [b]) => String(a).localeCompare(String(b)));
const elements = (shapes: Map<string, readonly number[]>) => [...shapes.values()].reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);

beforeAll(async () => {
  await setTestBackend();
});

describe('SDXL base 1.0 text encoders, from config alone (no weights allocated)', () => {
  it('text_encoder: CLIPTextModel with every checkpoint name and shape, 123,060,480 parameters', () => {
    const before = tf.memory().numTensors;
    const model = CLIPTextModel.meta(TEXT_ENCODER);
    expect(tf.memory().numTensors).toBe(before);
    expect(model.isMaterialized).toBe(false);
    const expected = transformersStateShapes(TEXT_ENCODER, false);
    expect(sorted(model.parameterShapes())).toEqual(sorted(expected));
    expect(expected.size).toBe(2 + 12 * 16 + 2);
    // 49408·768 + 77·768 + 12·(4·(768² + 768) + 2·2·768 + 2·768·3072 + 3072 + 768) + 2·768 = 123,060,480, the
    // parameter count on the public model cards; a float32 model.safetensors of that model is 123,060,480·4 bytes
    // plus its header.
    expect(elements(expected)).toBe(123_060_480);
    expect(model.parameterCount()).toBe(123_060_480);
  });

  it('text_encoder_2: CLIPTextModelWithProjection with every checkpoint name and shape, 694,659,840 parameters', () => {
    const before = tf.memory().numTensors;
    const model = CLIPTextModelWithProjection.meta(TEXT_ENCODER_2);
    expect(tf.memory().numTensors).toBe(before);
    const expected = transformersStateShapes(TEXT_ENCODER_2, true);
    expect(sorted(model.parameterShapes())).toEqual(sorted(expected));
    // 49408·1280 + 77·1280 + 32·(4·(1280² + 1280) + 2·2·1280 + 2·1280·5120 + 5120 + 1280) + 2·1280 + 1280² = 694,659,840
    expect(elements(expected)).toBe(694_659_840);
    expect(model.parameterCount()).toBe(694_659_840);
    expect(model.config).toMatchObject({ hidden_act: 'gelu', eos_token_id: 2, projection_dim: 1280 });
  });

  it('writes back the same config keys it read (transformers save_pretrained style)', () => {
    const json = CLIPTextModelWithProjection.meta(TEXT_ENCODER_2).configJson();
    expect(Object.keys(json).sort()).toEqual(Object.keys(TEXT_ENCODER_2).sort());
    expect(json).toMatchObject({ ...TEXT_ENCODER_2, torch_dtype: 'float32' });
  });
});
