import { DIFFUSERS_ACTIVATIONS } from '../blocks/diffusersActivation.js';
import { ConfigReader } from '../pretrained/ConfigReader.js';
import { configValues } from '../pretrained/configValues.js';

/** diffusers' AutoencoderKL config (field names as in config.json); defaults of AutoencoderKL.__init__. */
export interface AutoencoderKLConfig {
  readonly in_channels: number;
  readonly out_channels: number;
  readonly down_block_types: readonly 'DownEncoderBlock2D'[];
  readonly up_block_types: readonly 'UpDecoderBlock2D'[];
  readonly block_out_channels: readonly number[];
  readonly layers_per_block: number;
  readonly act_fn: string;
  readonly latent_channels: number;
  readonly norm_num_groups: number;
  /** Informational (the tiling threshold in diffusers); any input size works. */
  readonly sample_size: number | readonly number[];
  /** Latents for the UNet are `(z − shift_factor)·scaling_factor` (SDXL: 0.13025, SD 1.x: 0.18215). */
  readonly scaling_factor: number;
  /** Newer diffusers (SD3, Flux VAEs); null when absent. */
  readonly shift_factor: number | null;
  /** Per-channel latent statistics some pipelines use; stored, not used by the model. */
  readonly latents_mean: readonly number[] | null;
  readonly latents_std: readonly number[] | null;
  /** Run the VAE in float32 in half-precision pipelines: no effect here, everything is float32 already. */
  readonly force_upcast: boolean;
  /** Newer diffusers: whether quant_conv / post_quant_conv exist (true when absent, as in 0.27). */
  readonly use_quant_conv: boolean;
  readonly use_post_quant_conv: boolean;
  /** Newer diffusers: whether the encoder's and decoder's mid blocks have their attention (true when absent). */
  readonly mid_block_add_attention: boolean;
}

/** The AutoencoderKL defaults (diffusers 0.27.2 autoencoder_kl.py; the last three from newer releases). */
export const AUTOENCODER_KL_DEFAULTS: AutoencoderKLConfig = Object.freeze<AutoencoderKLConfig>({
  in_channels: 3,
  out_channels: 3,
  down_block_types: ['DownEncoderBlock2D'],
  up_block_types: ['UpDecoderBlock2D'],
  block_out_channels: [64],
  layers_per_block: 1,
  act_fn: 'silu',
  latent_channels: 4,
  norm_num_groups: 32,
  sample_size: 32,
  scaling_factor: 0.18215,
  shift_factor: null,
  latents_mean: null,
  latents_std: null,
  force_upcast: true,
  use_quant_conv: true,
  use_post_quant_conv: true,
  mid_block_add_attention: true,
});

/** Fields diffusers added after 0.27.2; written back only when the source config had them or they differ from the default. */
export const AUTOENCODER_KL_NEWER_FIELDS = ['shift_factor', 'use_quant_conv', 'use_post_quant_conv', 'mid_block_add_attention'] as const;

/**
 * Resolves a raw AutoencoderKL config.json object. Unknown fields and unsupported values are MODEL_CONFIG_UNSUPPORTED
 * naming the field; malformed values MODEL_CONFIG_INVALID.
 */
export function parseAutoencoderKLConfig(raw: unknown, source: string): AutoencoderKLConfig {
  const reader = new ConfigReader(source, raw);
  const d = AUTOENCODER_KL_DEFAULTS;
  const blockOut = reader.integerList('block_out_channels', d.block_out_channels);
  const downTypes = reader.stringList('down_block_types', d.down_block_types);
  const upTypes = reader.stringList('up_block_types', d.up_block_types);
  downTypes.forEach((type, i) => type === 'DownEncoderBlock2D' || unsupportedType(reader, 'down_block_types', downTypes, i, 'DownEncoderBlock2D'));
  upTypes.forEach((type, i) => type === 'UpDecoderBlock2D' || unsupportedType(reader, 'up_block_types', upTypes, i, 'UpDecoderBlock2D'));
  const sampleSize = reader.value('sample_size') ?? d.sample_size;
  if (!(typeof sampleSize === 'number' || (Array.isArray(sampleSize) && sampleSize.every((size) => typeof size === 'number')))) {
    throw reader.invalid('sample_size', sampleSize, 'an integer or a list of integers');
  }
  const config: AutoencoderKLConfig = {
    in_channels: reader.integer('in_channels', d.in_channels),
    out_channels: reader.integer('out_channels', d.out_channels),
    down_block_types: downTypes as 'DownEncoderBlock2D'[],
    up_block_types: upTypes as 'UpDecoderBlock2D'[],
    block_out_channels: blockOut,
    layers_per_block: reader.integer('layers_per_block', d.layers_per_block),
    act_fn: reader.oneOf('act_fn', d.act_fn, Object.keys(DIFFUSERS_ACTIVATIONS)),
    latent_channels: reader.integer('latent_channels', d.latent_channels),
    norm_num_groups: reader.integer('norm_num_groups', d.norm_num_groups),
    sample_size: sampleSize as number | number[],
    scaling_factor: reader.positive('scaling_factor', d.scaling_factor),
    shift_factor: configValues.nullableNumber(reader, 'shift_factor', d.shift_factor),
    latents_mean: configValues.nullableNumberList(reader, 'latents_mean'),
    latents_std: configValues.nullableNumberList(reader, 'latents_std'),
    force_upcast: reader.boolean('force_upcast', d.force_upcast),
    use_quant_conv: reader.boolean('use_quant_conv', d.use_quant_conv),
    use_post_quant_conv: reader.boolean('use_post_quant_conv', d.use_post_quant_conv),
    mid_block_add_attention: reader.boolean('mid_block_add_attention', d.mid_block_add_attention),
  };
  if (blockOut.length === 0 || downTypes.length !== blockOut.length || upTypes.length !== blockOut.length) {
    throw reader.invalid(
      'block_out_channels',
      blockOut,
      `one entry per down and up block (down_block_types has ${downTypes.length}, up_block_types ${upTypes.length})`,
    );
  }
  for (const channels of blockOut) {
    if (channels % config.norm_num_groups !== 0) {
      throw reader.invalid('norm_num_groups', config.norm_num_groups, `a divisor of every block_out_channels entry (${blockOut.join(', ')}) for GroupNorm`);
    }
  }
  reader.finish();
  return Object.freeze(config);
}

function unsupportedType(reader: ConfigReader, field: string, types: readonly string[], index: number, supported: string): never {
  throw reader.unsupported(field, types, `entry ${index} is "${types[index]}"; the AutoencoderKL blocks implemented here are ${supported}`);
}
