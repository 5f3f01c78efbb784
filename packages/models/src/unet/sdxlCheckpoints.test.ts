import { describe, expect, it } from 'vitest';
import { AutoencoderKL } from '../vae/AutoencoderKL.js';
import { UNet2DConditionModel } from './UNet2DConditionModel.js';

// The real SDXL configs, built shape-only (nothing allocated). Sources:
// - stabilityai/stable-diffusion-xl-base-1.0 unet/config.json and vae/config.json as published on the Hub
//   (diffusers 0.19.0.dev0 / 0.20.0.dev0 save_pretrained output, every key kept, including "upcast_attention": null).
//   The values agree with Stability-AI/generative-models configs/inference/sd_xl_base.yaml converted by diffusers
//   v0.27.2 loaders/single_file_utils.py create_unet_diffusers_config (model_channels 320 × [1, 2, 4],
//   attention_resolutions [4, 2], transformer_depth [1, 2, 10], num_head_channels 64 → heads [5, 10, 20],
//   context_dim 2048, adm_in_channels 2816).
// - The refiner UNet (stabilityai/stable-diffusion-xl-refiner-1.0) derived the same way from sd_xl_refiner.yaml:
//   model_channels 384 × [1, 2, 4, 4], attention_resolutions [4, 2] → Down, CrossAttn, CrossAttn, Down; heads
//   384/64 × mult = [6, 12, 24, 24]; transformer_depth 4; context_dim 1280; adm_in_channels 2560 (pooled 1280 +
//   5 time ids × 256: original size, crop, aesthetic score).
// The published parameter counts: UNet 2,567,463,684 and VAE 83,653,863 (what every SDXL tool reports for the base
// checkpoint). The expected names and shapes below are written out independently from diffusers' module rules
// (unet_2d_condition.py, unet_2d_blocks.py, resnet.py, transformer_2d.py, attention.py, vae.py).

const SDXL_BASE_UNET = {
  _class_name: 'UNet2DConditionModel',
  _diffusers_version: '0.19.0.dev0',
  act_fn: 'silu',
  addition_embed_type: 'text_time',
  addition_embed_type_num_heads: 64,
  addition_time_embed_dim: 256,
  attention_head_dim: [5, 10, 20],
  block_out_channels: [320, 640, 1280],
  center_input_sample: false,
  class_embed_type: null,
  class_embeddings_concat: false,
  conv_in_kernel: 3,
  conv_out_kernel: 3,
  cross_attention_dim: 2048,
  cross_attention_norm: null,
  down_block_types: ['DownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D'],
  downsample_padding: 1,
  dual_cross_attention: false,
  encoder_hid_dim: null,
  encoder_hid_dim_type: null,
  flip_sin_to_cos: true,
  freq_shift: 0,
  in_channels: 4,
  layers_per_block: 2,
  mid_block_only_cross_attention: null,
  mid_block_scale_factor: 1,
  mid_block_type: 'UNetMidBlock2DCrossAttn',
  norm_eps: 1e-5,
  norm_num_groups: 32,
  num_attention_heads: null,
  num_class_embeds: null,
  only_cross_attention: false,
  out_channels: 4,
  projection_class_embeddings_input_dim: 2816,
  resnet_out_scale_factor: 1.0,
  resnet_skip_time_act: false,
  resnet_time_scale_shift: 'default',
  sample_size: 128,
  time_cond_proj_dim: null,
  time_embedding_act_fn: null,
  time_embedding_dim: null,
  time_embedding_type: 'positional',
  timestep_post_act: null,
  transformer_layers_per_block: [1, 2, 10],
  up_block_types: ['CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'UpBlock2D'],
  upcast_attention: null,
  use_linear_projection: true,
};

const SDXL_REFINER_UNET = {
  ...SDXL_BASE_UNET,
  attention_head_dim: [6, 12, 24, 24],
  block_out_channels: [384, 768, 1536, 1536],
  cross_attention_dim: 1280,
  down_block_types: ['DownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'],
  projection_class_embeddings_input_dim: 2560,
  transformer_layers_per_block: 4,
  up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'UpBlock2D'],
};

const SDXL_VAE = {
  _class_name: 'AutoencoderKL',
  _diffusers_version: '0.20.0.dev0',
  act_fn: 'silu',
  block_out_channels: [128, 256, 512, 512],
  down_block_types: ['DownEncoderBlock2D', 'DownEncoderBlock2D', 'DownEncoderBlock2D', 'DownEncoderBlock2D'],
  force_upcast: true,
  in_channels: 3,
  latent_channels: 4,
  layers_per_block: 2,
  norm_num_groups: 32,
  out_channels: 3,
  sample_size: 1024,
  scaling_factor: 0.13025,
  up_block_types: ['UpDecoderBlock2D', 'UpDecoderBlock2D', 'UpDecoderBlock2D', 'UpDecoderBlock2D'],
};

type Spec = [string, number[]][];

// ---------- expected parameters, from diffusers' rules (PyTorch named_parameters() order) ----------

const linear = (spec: Spec, name: string, out: number, inF: number, bias = true) => {
  spec.push([`${name}.weight`, [out, inF]]);
  if (bias) spec.push([`${name}.bias`, [out]]);
};
const conv = (spec: Spec, name: string, out: number, inC: number, k: number) => spec.push([`${name}.weight`, [out, inC, k, k]], [`${name}.bias`, [out]]);
const norm = (spec: Spec, name: string, c: number) => spec.push([`${name}.weight`, [c]], [`${name}.bias`, [c]]);

function resnet(spec: Spec, p: string, inC: number, out: number, temb: number | null): void {
  norm(spec, `${p}.norm1`, inC);
  conv(spec, `${p}.conv1`, out, inC, 3);
  if (temb !== null) linear(spec, `${p}.time_emb_proj`, out, temb);
  norm(spec, `${p}.norm2`, out);
  conv(spec, `${p}.conv2`, out, out, 3);
  if (inC !== out) conv(spec, `${p}.conv_shortcut`, out, inC, 1);
}

function transformer(spec: Spec, p: string, c: number, depth: number, cross: number): void {
  norm(spec, `${p}.norm`, c);
  linear(spec, `${p}.proj_in`, c, c);
  for (let d = 0; d < depth; d++) {
    const b = `${p}.transformer_blocks.${d}`;
    norm(spec, `${b}.norm1`, c);
    for (const [attn, kv] of [['attn1', c], ['attn2', cross]] as const) {
      if (attn === 'attn2') norm(spec, `${b}.norm2`, c);
      linear(spec, `${b}.${attn}.to_q`, c, c, false);
      linear(spec, `${b}.${attn}.to_k`, c, kv, false);
      linear(spec, `${b}.${attn}.to_v`, c, kv, false);
      linear(spec, `${b}.${attn}.to_out.0`, c, c);
    }
    norm(spec, `${b}.norm3`, c);
    linear(spec, `${b}.ff.net.0.proj`, 8 * c, c);
    linear(spec, `${b}.ff.net.2`, c, 4 * c);
  }
  linear(spec, `${p}.proj_out`, c, c);
}

function unetSpec(config: typeof SDXL_BASE_UNET | typeof SDXL_REFINER_UNET): Spec {
  const spec: Spec = [];
  const ch = config.block_out_channels;
  const n = ch.length;
  const temb = 4 * ch[0]!;
  const depth = (i: number) => (typeof config.transformer_layers_per_block === 'number' ? config.transformer_layers_per_block : config.transformer_layers_per_block[i]!);
  conv(spec, 'conv_in', ch[0]!, 4, 3);
  linear(spec, 'time_embedding.linear_1', temb, ch[0]!);
  linear(spec, 'time_embedding.linear_2', temb, temb);
  linear(spec, 'add_embedding.linear_1', temb, config.projection_class_embeddings_input_dim);
  linear(spec, 'add_embedding.linear_2', temb, temb);
  for (let i = 0; i < n; i++) {
    const p = `down_blocks.${i}`;
    const attn = config.down_block_types[i] === 'CrossAttnDownBlock2D';
    if (attn) for (let j = 0; j < 2; j++) transformer(spec, `${p}.attentions.${j}`, ch[i]!, depth(i), config.cross_attention_dim);
    for (let j = 0; j < 2; j++) resnet(spec, `${p}.resnets.${j}`, j === 0 ? ch[Math.max(i - 1, 0)]! : ch[i]!, ch[i]!, temb);
    if (i < n - 1) conv(spec, `${p}.downsamplers.0.conv`, ch[i]!, ch[i]!, 3);
  }
  // up block i works at reversed channels; each of its 3 resnets takes hidden + one skip.
  const skips: number[] = [ch[0]!];
  for (let i = 0; i < n; i++) skips.push(ch[i]!, ch[i]!, ...(i < n - 1 ? [ch[i]!] : []));
  let hiddenChannels = ch[n - 1]!;
  for (let i = 0; i < n; i++) {
    const p = `up_blocks.${i}`;
    const out = ch[n - 1 - i]!;
    const attn = config.up_block_types[i] === 'CrossAttnUpBlock2D';
    if (attn) for (let j = 0; j < 3; j++) transformer(spec, `${p}.attentions.${j}`, out, depth(n - 1 - i), config.cross_attention_dim);
    for (let j = 0; j < 3; j++) {
      resnet(spec, `${p}.resnets.${j}`, hiddenChannels + skips.pop()!, out, temb);
      hiddenChannels = out;
    }
    if (i < n - 1) conv(spec, `${p}.upsamplers.0.conv`, out, out, 3);
  }
  transformer(spec, 'mid_block.attentions.0', ch[n - 1]!, depth(n - 1), config.cross_attention_dim);
  resnet(spec, 'mid_block.resnets.0', ch[n - 1]!, ch[n - 1]!, temb);
  resnet(spec, 'mid_block.resnets.1', ch[n - 1]!, ch[n - 1]!, temb);
  norm(spec, 'conv_norm_out', ch[0]!);
  conv(spec, 'conv_out', 4, ch[0]!, 3);
  return spec;
}

function vaeSpec(): Spec {
  const spec: Spec = [];
  const ch = SDXL_VAE.block_out_channels;
  const last = ch.at(-1)!;
  const midBlock = (p: string) => {
    norm(spec, `${p}.attentions.0.group_norm`, last);
    for (const name of ['to_q', 'to_k', 'to_v', 'to_out.0']) linear(spec, `${p}.attentions.0.${name}`, last, last);
    resnet(spec, `${p}.resnets.0`, last, last, null);
    resnet(spec, `${p}.resnets.1`, last, last, null);
  };
  conv(spec, 'encoder.conv_in', ch[0]!, 3, 3);
  ch.forEach((out, i) => {
    for (let j = 0; j < 2; j++) resnet(spec, `encoder.down_blocks.${i}.resnets.${j}`, j === 0 ? ch[Math.max(i - 1, 0)]! : out, out, null);
    if (i < ch.length - 1) conv(spec, `encoder.down_blocks.${i}.downsamplers.0.conv`, out, out, 3);
  });
  midBlock('encoder.mid_block');
  norm(spec, 'encoder.conv_norm_out', last);
  conv(spec, 'encoder.conv_out', 8, last, 3);
  conv(spec, 'decoder.conv_in', last, 4, 3);
  const reversed = [...ch].reverse();
  reversed.forEach((out, i) => {
    for (let j = 0; j < 3; j++) resnet(spec, `decoder.up_blocks.${i}.resnets.${j}`, j === 0 ? reversed[Math.max(i - 1, 0)]! : out, out, null);
    if (i < ch.length - 1) conv(spec, `decoder.up_blocks.${i}.upsamplers.0.conv`, out, out, 3);
  });
  midBlock('decoder.mid_block');
  norm(spec, 'decoder.conv_norm_out', ch[0]!);
  conv(spec, 'decoder.conv_out', 3, ch[0]!, 3);
  conv(spec, 'quant_conv', 8, 8, 1);
  conv(spec, 'post_quant_conv', 4, 4, 1);
  return spec;
}

const count = (spec: Spec) => spec.reduce((total, [, shape]) => total + shape.reduce((a, b) => a * b, 1), 0);

describe('the real SDXL checkpoints, shape-only', () => {
  it('stabilityai/stable-diffusion-xl-base-1.0 unet: every parameter name, shape and PyTorch order; 2,567,463,684 parameters', () => {
    const unet = UNet2DConditionModel.meta(SDXL_BASE_UNET);
    expect(unet.isMaterialized).toBe(false);
    const expected = unetSpec(SDXL_BASE_UNET);
    expect([...unet.parameterShapes()].map(([name, shape]) => [name, [...shape]])).toEqual(expected);
    expect(count(expected)).toBe(2_567_463_684);
    expect(unet.parameterCount()).toBe(2_567_463_684);
    expect(unet.namedParameters()).toHaveLength(1680);
  });

  // 2,259,526,660 is what the derivation gives; a public tool that counts the refiner from its downloaded config
  // lists the same number (with conv_in [384, 4, 3, 3]).
  it('stabilityai/stable-diffusion-xl-refiner-1.0 unet: every parameter name and shape; 2,259,526,660 parameters', () => {
    const unet = UNet2DConditionModel.meta(SDXL_REFINER_UNET);
    const expected = unetSpec(SDXL_REFINER_UNET);
    expect([...unet.parameterShapes()].map(([name, shape]) => [name, [...shape]])).toEqual(expected);
    expect(count(expected)).toBe(2_259_526_660);
    expect(unet.parameterCount()).toBe(2_259_526_660);
  });

  it('stabilityai/stable-diffusion-xl-base-1.0 vae: every parameter name and shape; 83,653,863 parameters', () => {
    const vae = AutoencoderKL.meta(SDXL_VAE);
    const expected = vaeSpec();
    expect([...vae.parameterShapes()].map(([name, shape]) => [name, [...shape]])).toEqual(expected);
    expect(count(expected)).toBe(83_653_863);
    expect(vae.parameterCount()).toBe(83_653_863);
    expect(vae.scalingFactor).toBe(0.13025);
  });
});
