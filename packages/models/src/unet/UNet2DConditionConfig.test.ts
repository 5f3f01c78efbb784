import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSdxlError } from '@sdxl-trainer/errors';
import { describe, expect, it } from 'vitest';
import { fixtureRoot } from '../testing/fixture.js';
import { parseUNet2DConditionConfig, UNET_2D_CONDITION_DEFAULTS } from './UNet2DConditionConfig.js';
import { UNet2DConditionModel } from './UNet2DConditionModel.js';

function refused(fn: () => unknown): { code: string; message: string; details: Record<string, unknown> } {
  try {
    fn();
  } catch (error) {
    expect(isSdxlError(error), String(error)).toBe(true);
    return error as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('expected an error');
}

const fixtureConfig = (): Record<string, unknown> => JSON.parse(readFileSync(join(fixtureRoot(), 'unet', 'config.json'), 'utf8'));
const parse = (raw: Record<string, unknown>) => parseUNet2DConditionConfig(raw, 'UNet2DConditionModel config test.json');

describe('parseUNet2DConditionConfig', () => {
  it("reads the fixture's config.json (every diffusers 0.27.2 key) and keeps the int/list forms", () => {
    const config = parse(fixtureConfig());
    expect(config.attention_head_dim).toEqual([2, 4]);
    expect(config.transformer_layers_per_block).toEqual([1, 2]);
    expect(config.cross_attention_dim).toBe(64);
    expect(config.norm_num_groups).toBe(1);
    expect(config.addition_embed_type).toBe('text_time');
  });

  it("fills diffusers' defaults (SD 1.x's layout) for an empty config", () => {
    expect(parse({})).toEqual(UNET_2D_CONDITION_DEFAULTS);
    expect(UNet2DConditionModel.meta({}).plan.down.map((block) => block.heads)).toEqual([8, 8, 8, 8]);
  });

  it('refuses every field it does not implement at a non-default value, naming it (MODEL_CONFIG_UNSUPPORTED)', () => {
    const cases: [string, unknown][] = [
      ['num_attention_heads', [2, 4]],
      ['dropout', 0.1],
      ['only_cross_attention', true],
      ['dual_cross_attention', true],
      ['class_embed_type', 'timestep'],
      ['num_class_embeds', 10],
      ['class_embeddings_concat', true],
      ['encoder_hid_dim', 32],
      ['encoder_hid_dim_type', 'text_proj'],
      ['time_cond_proj_dim', 8],
      ['attention_type', 'gated'],
      ['addition_embed_type', 'text'],
      ['time_embedding_type', 'fourier'],
      ['mid_block_type', 'UNetMidBlock2DSimpleCrossAttn'],
      ['down_block_types', ['SimpleCrossAttnDownBlock2D', 'CrossAttnDownBlock2D']],
      ['up_block_types', ['CrossAttnUpBlock2D', 'AttnUpBlock2D']],
      ['act_fn', 'tanh'],
      ['resnet_time_scale_shift', 'spatial'],
      ['norm_num_groups', null],
      ['timestep_post_act', 'softplus'],
      ['some_future_field', 1],
    ];
    for (const [field, value] of cases) {
      const error = refused(() => parse({ ...fixtureConfig(), [field]: value }));
      expect(error.code, field).toBe('MODEL_CONFIG_UNSUPPORTED');
      expect(error.message, field).toContain(field);
      expect(error.message, field).toContain('test.json');
    }
  });

  it('accepts the fields that change nothing for these block types (and upcast_attention null, as SDXL writes it)', () => {
    const config = parse({
      ...fixtureConfig(),
      resnet_skip_time_act: true,
      resnet_out_scale_factor: 2,
      cross_attention_norm: 'layer_norm',
      addition_embed_type_num_heads: 8,
      mid_block_only_cross_attention: true,
      upcast_attention: null,
      _name_or_path: 'somewhere',
    });
    expect(config.upcast_attention).toBeNull();
  });

  it('tells inconsistent configs (MODEL_CONFIG_INVALID), as diffusers _check_config does', () => {
    const invalid: [string, unknown][] = [
      ['up_block_types', ['CrossAttnUpBlock2D']],
      ['block_out_channels', [32, 64, 64]],
      ['attention_head_dim', [2, 4, 8]],
      ['layers_per_block', [1]],
      ['cross_attention_dim', [64]],
      ['transformer_layers_per_block', [[1], [1, 1]]],
      ['norm_num_groups', 3],
      ['conv_in_kernel', 4],
      ['freq_shift', 'one'],
    ];
    for (const [field, value] of invalid) {
      const error = refused(() => parse({ ...fixtureConfig(), [field]: value }));
      expect(error.code, field).toBe('MODEL_CONFIG_INVALID');
      expect(error.message, field).toMatch(/transformer_layers|up_block_types|block_out_channels|attention_head_dim|layers_per_block|cross_attention_dim|norm_num_groups|conv_in_kernel|freq_shift/);
    }
    const noDims = refused(() => parse({ ...fixtureConfig(), addition_time_embed_dim: null }));
    expect(noDims.code).toBe('MODEL_CONFIG_INVALID');
    // a per-layer list shorter than the block's layers is caught when the blocks are planned
    const short = refused(() => UNet2DConditionModel.meta({ ...fixtureConfig(), transformer_layers_per_block: [[1, 1], [2]], reverse_transformer_layers_per_block: [[1, 1, 1], [1, 1, 1]] }));
    expect(short.code).toBe('MODEL_CONFIG_INVALID');
    expect(short.message).toContain('transformer_layers_per_block');
    const heads = refused(() => UNet2DConditionModel.meta({ ...fixtureConfig(), attention_head_dim: [2, 128] }));
    expect(heads.message).toContain('attention_head_dim');
  });
});
