import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isSdxlError } from '@sdxl-trainer/errors';
import { describe, expect, it } from 'vitest';
import { CLIP_TEXT_CONFIG_DEFAULTS, parseCLIPTextConfig } from './CLIPTextConfig.js';

const fixture = fileURLToPath(new URL('../../../../../shared/fixtures/sdxl-tiny/text_encoder/config.json', import.meta.url));

function error(raw: unknown): { code: string; message: string; field?: unknown } {
  try {
    parseCLIPTextConfig(raw, 'CLIPTextModel config x.json');
  } catch (caught) {
    expect(isSdxlError(caught), String(caught)).toBe(true);
    const e = caught as { code: string; message: string; details?: { field?: unknown } };
    return { code: e.code, message: e.message, field: e.details?.field };
  }
  throw new Error('expected the config to be refused');
}

describe('parseCLIPTextConfig', () => {
  it("fills transformers' CLIPTextConfig defaults", () => {
    expect(parseCLIPTextConfig({}, 'x')).toEqual(CLIP_TEXT_CONFIG_DEFAULTS);
    expect(CLIP_TEXT_CONFIG_DEFAULTS).toMatchObject({ hidden_size: 512, num_attention_heads: 8, hidden_act: 'quick_gelu', eos_token_id: 49407 });
  });

  it('reads the fixture config as written by transformers 4.39', () => {
    const config = parseCLIPTextConfig(JSON.parse(readFileSync(fixture, 'utf8')), fixture);
    expect(config).toMatchObject({ hidden_size: 32, intermediate_size: 37, num_attention_heads: 4, num_hidden_layers: 5, hidden_act: 'gelu', eos_token_id: 2 });
  });

  it('accepts fields that do not change the numbers: legacy dropout, _name_or_path, generation settings, token ids', () => {
    const raw = { dropout: 0.1, _name_or_path: '/x', _commit_hash: 'abc', num_beams: 4, id2label: { 0: 'a' }, bos_token_id: 0, torch_dtype: 'float16', output_hidden_states: true };
    expect(parseCLIPTextConfig(raw, 'x').hidden_size).toBe(512);
  });

  it('refuses an unknown field, naming it and its value', () => {
    const e = error({ hidden_size: 64, num_attention_heads: 4, rope_theta: 10000 });
    expect(e).toMatchObject({ code: 'MODEL_CONFIG_UNSUPPORTED', field: 'rope_theta' });
    expect(e.message).toContain('x.json');
    expect(e.message).toContain('rope_theta = 10000');
  });

  it('refuses values the code does not implement: activation, attention dropout, attention maps, pruned heads, model type', () => {
    expect(error({ hidden_act: 'gelu_fast' })).toMatchObject({ code: 'MODEL_CONFIG_UNSUPPORTED', field: 'hidden_act' });
    expect(error({ attention_dropout: 0.1 })).toMatchObject({ code: 'MODEL_CONFIG_UNSUPPORTED', field: 'attention_dropout' });
    expect(error({ output_attentions: true })).toMatchObject({ code: 'MODEL_CONFIG_UNSUPPORTED', field: 'output_attentions' });
    expect(error({ pruned_heads: { 0: [1] } })).toMatchObject({ code: 'MODEL_CONFIG_UNSUPPORTED', field: 'pruned_heads' });
    expect(error({ model_type: 'clip_vision_model' })).toMatchObject({ code: 'MODEL_CONFIG_UNSUPPORTED', field: 'model_type' });
  });

  it('refuses malformed values', () => {
    expect(error({ hidden_size: 30, num_attention_heads: 4 })).toMatchObject({ code: 'MODEL_CONFIG_INVALID', field: 'hidden_size' });
    expect(error({ num_hidden_layers: 2.5 })).toMatchObject({ code: 'MODEL_CONFIG_INVALID', field: 'num_hidden_layers' });
    expect(error({ layer_norm_eps: -1 })).toMatchObject({ code: 'MODEL_CONFIG_INVALID', field: 'layer_norm_eps' });
    expect(error({ eos_token_id: '2' })).toMatchObject({ code: 'MODEL_CONFIG_INVALID', field: 'eos_token_id' });
    expect(error([1, 2])).toMatchObject({ code: 'MODEL_CONFIG_INVALID' });
  });
});
