import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { UNet2DConditionConfig, UNetDownBlockType, UNetUpBlockType } from './UNet2DConditionConfig.js';

/** What one down or up block is built from, resolved from the config's per-block fields. */
export interface UNetBlockPlan<T extends string> {
  readonly type: T;
  readonly inChannels: number;
  readonly outChannels: number;
  /** Up blocks: channels arriving from the block below (diffusers' prev_output_channel). */
  readonly prevOutputChannels: number;
  /** ResnetBlock2Ds in the block (up blocks: layers_per_block + 1). */
  readonly layers: number;
  /** Attention heads (the config's attention_head_dim entry). */
  readonly heads: number;
  readonly crossAttentionDim: number;
  /** BasicTransformerBlocks per layer. */
  readonly transformerLayers: readonly number[];
  /** Down blocks: a Downsample2D; up blocks: an Upsample2D. */
  readonly resample: boolean;
}

/** Every block of a UNet2DConditionModel (diffusers unet_2d_condition.py __init__, written out). */
export interface UNetPlan {
  readonly down: readonly UNetBlockPlan<UNetDownBlockType>[];
  readonly mid: { readonly heads: number; readonly crossAttentionDim: number; readonly transformerLayers: readonly number[] };
  readonly up: readonly UNetBlockPlan<UNetUpBlockType>[];
}

/**
 * Resolves the per-block lists as diffusers does: int fields repeat per block; up blocks read layers_per_block,
 * attention_head_dim, cross_attention_dim and transformer_layers_per_block reversed (or
 * reverse_transformer_layers_per_block) and get layers_per_block + 1 resnets; the mid block reads the last entries.
 */
export function planUNetBlocks(config: UNet2DConditionConfig, source: string): UNetPlan {
  const n = config.down_block_types.length;
  const perBlock = <T>(value: T | readonly T[]): T[] => (Array.isArray(value) ? [...(value as T[])] : Array.from({ length: n }, () => value as T));
  const channels = config.block_out_channels;
  const layers = perBlock(config.layers_per_block);
  const heads = perBlock(config.attention_head_dim);
  const cross = perBlock(config.cross_attention_dim);
  const depth = perBlock<number | readonly number[]>(config.transformer_layers_per_block);
  const upDepth = config.reverse_transformer_layers_per_block ?? [...depth].reverse();
  const perLayer = (field: string, value: number | readonly number[], count: number): number[] => {
    if (typeof value === 'number') return Array.from({ length: count }, () => value);
    if (value.length < count) throw invalid(source, field, value, `at least ${count} entries, one per layer of its block`);
    return value.slice(0, count);
  };
  const checkHeads = (h: number, c: number): number => {
    if (h > c) throw invalid(source, 'attention_head_dim', config.attention_head_dim, `at most the block's ${c} channels (it is the number of heads)`);
    return h;
  };

  const down = config.down_block_types.map((type, i) => ({
    type,
    inChannels: i === 0 ? channels[0]! : channels[i - 1]!,
    outChannels: channels[i]!,
    prevOutputChannels: i === 0 ? channels[0]! : channels[i - 1]!,
    layers: layers[i]!,
    heads: type === 'CrossAttnDownBlock2D' ? checkHeads(heads[i]!, channels[i]!) : heads[i]!,
    crossAttentionDim: cross[i]!,
    transformerLayers: perLayer('transformer_layers_per_block', depth[i]!, layers[i]!),
    resample: i !== n - 1,
  }));
  const reversed = [...channels].reverse();
  const [rLayers, rHeads, rCross] = [[...layers].reverse(), [...heads].reverse(), [...cross].reverse()];
  const up = config.up_block_types.map((type, i) => ({
    type,
    inChannels: reversed[Math.min(i + 1, n - 1)]!,
    outChannels: reversed[i]!,
    prevOutputChannels: i === 0 ? reversed[0]! : reversed[i - 1]!,
    layers: rLayers[i]! + 1,
    heads: type === 'CrossAttnUpBlock2D' ? checkHeads(rHeads[i]!, reversed[i]!) : rHeads[i]!,
    crossAttentionDim: rCross[i]!,
    transformerLayers: perLayer('reverse_transformer_layers_per_block', upDepth[i]!, rLayers[i]! + 1),
    resample: i !== n - 1,
  }));
  const mid = {
    heads: config.mid_block_type === 'UNetMidBlock2DCrossAttn' ? checkHeads(heads[n - 1]!, channels[n - 1]!) : heads[n - 1]!,
    crossAttentionDim: cross[n - 1]!,
    transformerLayers: perLayer('transformer_layers_per_block', depth[n - 1]!, 1),
  };
  return { down, mid, up };
}

function invalid(source: string, field: string, value: unknown, expected: string): SdxlError {
  return new SdxlError(ErrorCode.MODEL_CONFIG_INVALID, `${source}: ${field} = ${JSON.stringify(value)}; expected ${expected}`, {
    details: { source, field, value, expected },
  });
}
