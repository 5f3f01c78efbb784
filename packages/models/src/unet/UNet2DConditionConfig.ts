import { DIFFUSERS_ACTIVATIONS } from '../blocks/diffusersActivation.js';
import { ConfigReader } from '../pretrained/ConfigReader.js';
import { configValues } from '../pretrained/configValues.js';

/** Down block types implemented here. */
export type UNetDownBlockType = 'DownBlock2D' | 'CrossAttnDownBlock2D';
/** Up block types implemented here. */
export type UNetUpBlockType = 'UpBlock2D' | 'CrossAttnUpBlock2D';
/** Mid block types implemented here (null: no mid block). */
export type UNetMidBlockType = 'UNetMidBlock2DCrossAttn' | 'UNetMidBlock2D' | null;

/**
 * diffusers' UNet2DConditionModel config (field names and value forms as in config.json: `int | list` fields keep the
 * form they were given); defaults of UNet2DConditionModel.__init__ in diffusers 0.27.2. Fields that exist only to
 * be refused at other values (dual_cross_attention, class_embed_type, ...) are checked by the parser and kept in the
 * raw config.
 */
export interface UNet2DConditionConfig {
  /** Informational: any input size whose sides survive the downsampling works. */
  readonly sample_size: number | readonly number[] | null;
  readonly in_channels: number;
  readonly out_channels: number;
  /** sample ← 2·sample − 1 first. */
  readonly center_input_sample: boolean;
  readonly flip_sin_to_cos: boolean;
  readonly freq_shift: number;
  readonly down_block_types: readonly UNetDownBlockType[];
  readonly mid_block_type: UNetMidBlockType;
  readonly up_block_types: readonly UNetUpBlockType[];
  readonly block_out_channels: readonly number[];
  readonly layers_per_block: number | readonly number[];
  /** 0 pads the downsampling conv asymmetrically (right and bottom), as diffusers' Downsample2D does. */
  readonly downsample_padding: number;
  /** Output scale of the mid block's resnets. */
  readonly mid_block_scale_factor: number;
  readonly act_fn: string;
  readonly norm_num_groups: number;
  readonly norm_eps: number;
  readonly cross_attention_dim: number | readonly number[];
  /** Per block an int or (with reverse_transformer_layers_per_block) a per-layer list. */
  readonly transformer_layers_per_block: number | readonly (number | readonly number[])[];
  /** The up blocks' per-layer transformer depths when transformer_layers_per_block is a list of lists. */
  readonly reverse_transformer_layers_per_block: readonly (number | readonly number[])[] | null;
  /** The NUMBER OF HEADS per block (diffusers' historical misnomer; num_attention_heads must be null). */
  readonly attention_head_dim: number | readonly number[];
  readonly use_linear_projection: boolean;
  readonly addition_embed_type: 'text_time' | null;
  readonly addition_time_embed_dim: number | null;
  /** Width of [text_embeds, sinusoids of time_ids] for "text_time" (SDXL base: 1280 + 6·256 = 2816). */
  readonly projection_class_embeddings_input_dim: number | null;
  /** Float32 everywhere here, so upcasting changes nothing (null means false in diffusers). */
  readonly upcast_attention: boolean | null;
  readonly resnet_time_scale_shift: 'default' | 'scale_shift';
  readonly time_embedding_type: 'positional';
  /** Width of the time embedding (default 4·block_out_channels[0]). */
  readonly time_embedding_dim: number | null;
  /** An activation applied once to the summed embedding before the blocks. */
  readonly time_embedding_act_fn: string | null;
  /** An activation after time_embedding's linear_2. */
  readonly timestep_post_act: string | null;
  readonly conv_in_kernel: number;
  readonly conv_out_kernel: number;
}

/** The UNet2DConditionModel defaults (diffusers 0.27.2 unet_2d_condition.py). */
export const UNET_2D_CONDITION_DEFAULTS: UNet2DConditionConfig = Object.freeze<UNet2DConditionConfig>({
  sample_size: null,
  in_channels: 4,
  out_channels: 4,
  center_input_sample: false,
  flip_sin_to_cos: true,
  freq_shift: 0,
  down_block_types: ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'],
  mid_block_type: 'UNetMidBlock2DCrossAttn',
  up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'],
  block_out_channels: [320, 640, 1280, 1280],
  layers_per_block: 2,
  downsample_padding: 1,
  mid_block_scale_factor: 1,
  act_fn: 'silu',
  norm_num_groups: 32,
  norm_eps: 1e-5,
  cross_attention_dim: 1280,
  transformer_layers_per_block: 1,
  reverse_transformer_layers_per_block: null,
  attention_head_dim: 8,
  use_linear_projection: false,
  addition_embed_type: null,
  addition_time_embed_dim: null,
  projection_class_embeddings_input_dim: null,
  upcast_attention: false,
  resnet_time_scale_shift: 'default',
  time_embedding_type: 'positional',
  time_embedding_dim: null,
  time_embedding_act_fn: null,
  timestep_post_act: null,
  conv_in_kernel: 3,
  conv_out_kernel: 3,
});

/**
 * Fields a config may carry that change nothing for the block types implemented here (diffusers passes them only
 * to blocks this package refuses: ResnetDownsampleBlock2D, SimpleCrossAttn*, the "text" addition embedding), with
 * diffusers' defaults.
 */
const NO_EFFECT_FIELDS: Readonly<Record<string, unknown>> = {
  resnet_skip_time_act: false,
  resnet_out_scale_factor: 1,
  cross_attention_norm: null,
  addition_embed_type_num_heads: 64,
  mid_block_only_cross_attention: null,
};

/** Fields supported only at their (diffusers) default, with why another value is refused. */
const ONLY_DEFAULT: readonly [string, unknown, string][] = [
  ['num_attention_heads', null, 'diffusers 0.27 itself raises for it ("not possible to define the number of attention heads via num_attention_heads"); attention_head_dim holds the head counts'],
  ['dropout', 0, 'dropout during training is not implemented; at inference diffusers ignores it, so 0.0 gives the same numbers'],
  ['only_cross_attention', false, 'only-cross-attention transformer blocks are not implemented'],
  ['dual_cross_attention', false, 'DualTransformer2DModel is not implemented'],
  ['class_embed_type', null, 'class embeddings are not implemented'],
  ['num_class_embeds', null, 'class embeddings are not implemented'],
  ['class_embeddings_concat', false, 'class embeddings are not implemented'],
  ['encoder_hid_dim', null, 'encoder_hid_proj is not implemented'],
  ['encoder_hid_dim_type', null, 'encoder_hid_proj is not implemented'],
  ['time_cond_proj_dim', null, 'timestep_cond (LCM) is not implemented'],
  ['attention_type', 'default', 'gated (GLIGEN) attention is not implemented'],
];

/**
 * The diffusers 0.27.2 UNet2DConditionModel fields outside {@link UNet2DConditionConfig} (accepted with no effect, or
 * only at these defaults), so a saved config.json carries every key diffusers' save_config writes.
 */
export const UNET_2D_CONDITION_FIXED_FIELDS: Readonly<Record<string, unknown>> = Object.freeze({
  ...NO_EFFECT_FIELDS,
  ...Object.fromEntries(ONLY_DEFAULT.map(([field, value]) => [field, value])),
});

/**
 * Resolves a raw UNet2DConditionModel config.json object. Unknown fields and unsupported values are
 * MODEL_CONFIG_UNSUPPORTED naming the field; malformed or inconsistent values MODEL_CONFIG_INVALID (where diffusers
 * raises ValueError).
 */
export function parseUNet2DConditionConfig(raw: unknown, source: string): UNet2DConditionConfig {
  const reader = new ConfigReader(source, raw);
  const d = UNET_2D_CONDITION_DEFAULTS;
  reader.accept(Object.keys(NO_EFFECT_FIELDS));
  for (const [field, supported, hint] of ONLY_DEFAULT) reader.only(field, supported, hint);
  const activations = Object.keys(DIFFUSERS_ACTIVATIONS);
  const nullableActivation = (field: string): string | null => {
    const value = configValues.nullableString(reader, field, null);
    if (value !== null && !activations.includes(value.toLowerCase())) throw reader.unsupported(field, value, `supported: ${activations.join(', ')}`);
    return value;
  };
  const downTypes = reader.stringList('down_block_types', d.down_block_types);
  const upTypes = reader.stringList('up_block_types', d.up_block_types);
  downTypes.forEach((_, i) => checkType(reader, 'down_block_types', downTypes, i, ['DownBlock2D', 'CrossAttnDownBlock2D']));
  upTypes.forEach((_, i) => checkType(reader, 'up_block_types', upTypes, i, ['UpBlock2D', 'CrossAttnUpBlock2D']));
  const midType = reader.value('mid_block_type');
  if (midType !== undefined && midType !== null && midType !== 'UNetMidBlock2DCrossAttn' && midType !== 'UNetMidBlock2D') {
    throw reader.unsupported('mid_block_type', midType, 'supported: UNetMidBlock2DCrossAttn, UNetMidBlock2D, null');
  }
  const groups = reader.value('norm_num_groups');
  if (groups === null) throw reader.unsupported('norm_num_groups', null, 'a UNet without normalisation is not implemented; give the group count');
  const config: UNet2DConditionConfig = {
    sample_size: readSampleSize(reader),
    in_channels: reader.integer('in_channels', d.in_channels),
    out_channels: reader.integer('out_channels', d.out_channels),
    center_input_sample: reader.boolean('center_input_sample', d.center_input_sample),
    flip_sin_to_cos: reader.boolean('flip_sin_to_cos', d.flip_sin_to_cos),
    freq_shift: configValues.number(reader, 'freq_shift', d.freq_shift),
    down_block_types: downTypes as UNetDownBlockType[],
    mid_block_type: midType === undefined ? d.mid_block_type : (midType as UNetMidBlockType),
    up_block_types: upTypes as UNetUpBlockType[],
    block_out_channels: reader.integerList('block_out_channels', d.block_out_channels),
    layers_per_block: configValues.integerOrList(reader, 'layers_per_block', d.layers_per_block),
    downsample_padding: reader.integer('downsample_padding', d.downsample_padding, 0),
    mid_block_scale_factor: reader.positive('mid_block_scale_factor', d.mid_block_scale_factor),
    act_fn: reader.oneOf('act_fn', d.act_fn, activations),
    norm_num_groups: reader.integer('norm_num_groups', d.norm_num_groups),
    norm_eps: reader.positive('norm_eps', d.norm_eps),
    cross_attention_dim: configValues.integerOrList(reader, 'cross_attention_dim', d.cross_attention_dim),
    transformer_layers_per_block: readTransformerLayers(reader, 'transformer_layers_per_block', d.transformer_layers_per_block),
    reverse_transformer_layers_per_block: readReverseLayers(reader),
    attention_head_dim: configValues.integerOrList(reader, 'attention_head_dim', d.attention_head_dim),
    use_linear_projection: reader.boolean('use_linear_projection', d.use_linear_projection),
    addition_embed_type: readAdditionEmbedType(reader),
    addition_time_embed_dim: reader.nullableInteger('addition_time_embed_dim', d.addition_time_embed_dim),
    projection_class_embeddings_input_dim: reader.nullableInteger('projection_class_embeddings_input_dim', d.projection_class_embeddings_input_dim),
    upcast_attention: configValues.nullableBoolean(reader, 'upcast_attention', d.upcast_attention),
    resnet_time_scale_shift: reader.oneOf('resnet_time_scale_shift', d.resnet_time_scale_shift, ['default', 'scale_shift']),
    time_embedding_type: reader.oneOf('time_embedding_type', d.time_embedding_type, ['positional']),
    time_embedding_dim: reader.nullableInteger('time_embedding_dim', d.time_embedding_dim),
    time_embedding_act_fn: nullableActivation('time_embedding_act_fn'),
    timestep_post_act: nullableActivation('timestep_post_act'),
    conv_in_kernel: reader.integer('conv_in_kernel', d.conv_in_kernel),
    conv_out_kernel: reader.integer('conv_out_kernel', d.conv_out_kernel),
  };
  checkConsistency(reader, config);
  reader.finish();
  return Object.freeze(config);
}

function checkType(reader: ConfigReader, field: string, types: readonly string[], index: number, supported: readonly string[]): void {
  if (!supported.includes(types[index]!)) throw reader.unsupported(field, types, `entry ${index} is "${types[index]}"; supported: ${supported.join(', ')}`);
}

function readSampleSize(reader: ConfigReader): number | number[] | null {
  const value = reader.value('sample_size');
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (Array.isArray(value) && value.every((size) => typeof size === 'number' && Number.isInteger(size))) return [...(value as number[])];
  throw reader.invalid('sample_size', value, 'an integer, a list of integers or null');
}

function readAdditionEmbedType(reader: ConfigReader): 'text_time' | null {
  const value = reader.value('addition_embed_type');
  if (value === undefined || value === null) return null;
  if (value === 'text_time') return value;
  throw reader.unsupported('addition_embed_type', value, 'supported: "text_time" (SDXL) or null');
}

/** An integer ≥ 1, or a list whose entries are integers ≥ 1 or lists of them. */
function readTransformerLayers(reader: ConfigReader, field: string, fallback: UNet2DConditionConfig['transformer_layers_per_block']): number | (number | number[])[] {
  const value = reader.value(field) ?? fallback;
  const positive = (entry: unknown): entry is number => typeof entry === 'number' && Number.isInteger(entry) && entry >= 1;
  if (positive(value)) return value;
  if (Array.isArray(value) && value.length > 0 && value.every((entry) => positive(entry) || (Array.isArray(entry) && entry.length > 0 && entry.every(positive)))) {
    return value.map((entry) => (Array.isArray(entry) ? [...(entry as number[])] : (entry as number)));
  }
  throw reader.invalid(field, value, 'an integer >= 1, or a list of integers >= 1 or of lists of them');
}

function readReverseLayers(reader: ConfigReader): (number | number[])[] | null {
  const value = reader.value('reverse_transformer_layers_per_block');
  if (value === undefined || value === null) return null;
  const layers = readTransformerLayers(reader, 'reverse_transformer_layers_per_block', 1);
  if (typeof layers === 'number') throw reader.invalid('reverse_transformer_layers_per_block', value, 'a list (one entry per up block) or null');
  return layers;
}

/** diffusers' `_check_config` and the constraints its constructors rely on. */
function checkConsistency(reader: ConfigReader, config: UNet2DConditionConfig): void {
  const blocks = config.down_block_types.length;
  const perBlock: [string, unknown][] = [
    ['up_block_types', config.up_block_types],
    ['block_out_channels', config.block_out_channels],
    ['layers_per_block', config.layers_per_block],
    ['attention_head_dim', config.attention_head_dim],
    ['cross_attention_dim', config.cross_attention_dim],
    ['transformer_layers_per_block', config.transformer_layers_per_block],
    ['reverse_transformer_layers_per_block', config.reverse_transformer_layers_per_block],
  ];
  for (const [field, value] of perBlock) {
    if (Array.isArray(value) && value.length !== blocks) throw reader.invalid(field, value, `one entry per down block (${blocks}, as down_block_types)`);
  }
  const layers = config.transformer_layers_per_block;
  if (Array.isArray(layers) && config.reverse_transformer_layers_per_block === null && layers.some((entry) => Array.isArray(entry))) {
    throw reader.invalid('reverse_transformer_layers_per_block', null, 'the up blocks\' depths: transformer_layers_per_block is a list of lists (an asymmetrical UNet), as diffusers requires');
  }
  for (const channels of config.block_out_channels) {
    if (channels % config.norm_num_groups !== 0) {
      throw reader.invalid('norm_num_groups', config.norm_num_groups, `a divisor of every block_out_channels entry (${config.block_out_channels.join(', ')}) for GroupNorm`);
    }
  }
  for (const kernel of ['conv_in_kernel', 'conv_out_kernel'] as const) {
    if (config[kernel] % 2 === 0) throw reader.invalid(kernel, config[kernel], 'an odd kernel size (diffusers pads (k − 1)/2, so an even one changes the size)');
  }
  if (config.addition_embed_type === 'text_time' && (config.addition_time_embed_dim === null || config.projection_class_embeddings_input_dim === null)) {
    throw reader.invalid('addition_embed_type', 'text_time', 'addition_time_embed_dim and projection_class_embeddings_input_dim set as well');
  }
}
