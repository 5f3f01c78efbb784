import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { Activation } from '../functional/activations.js';
import { timestepEmbedding } from '../functional/timestepEmbedding.js';
import type { BlockRuntime } from '../blocks/BlockRuntime.js';
import { checkInput } from '../blocks/checkInput.js';
import { CrossAttnDownBlock2D } from '../blocks/CrossAttnDownBlock2D.js';
import { CrossAttnUpBlock2D } from '../blocks/CrossAttnUpBlock2D.js';
import { diffusersActivation } from '../blocks/diffusersActivation.js';
import { DownBlock2D } from '../blocks/DownBlock2D.js';
import type { ResnetSettings } from '../blocks/ResnetSettings.js';
import { TimestepEmbedding } from '../blocks/TimestepEmbedding.js';
import { UNetMidBlock2D } from '../blocks/UNetMidBlock2D.js';
import { UNetMidBlock2DCrossAttn } from '../blocks/UNetMidBlock2DCrossAttn.js';
import { UpBlock2D } from '../blocks/UpBlock2D.js';
import { Conv2d } from '../nn/Conv2d.js';
import { GroupNorm } from '../nn/GroupNorm.js';
import { ModuleList } from '../nn/ModuleList.js';
import { DiffusersModel } from '../pretrained/DiffusersModel.js';
import { loadPretrained } from '../pretrained/loadPretrained.js';
import type { PretrainedOptions } from '../pretrained/PretrainedOptions.js';
import type { RandomSource } from '../random/RandomSource.js';
import { planUNetBlocks, type UNetPlan } from './planUNetBlocks.js';
import { parseUNet2DConditionConfig, UNET_2D_CONDITION_FIXED_FIELDS, type UNet2DConditionConfig } from './UNet2DConditionConfig.js';

/** A UNet config as given by a caller: a config.json object, or some UNet2DConditionConfig fields (the rest take defaults). */
export type UNet2DConditionConfigInput = Partial<UNet2DConditionConfig> | Readonly<Record<string, unknown>>;

/** SDXL's micro-conditioning (diffusers `added_cond_kwargs`), needed when addition_embed_type is "text_time". */
export interface UNetAddedConditions {
  /** Pooled text embedding [B, P] (text_encoder_2's text_embeds). */
  readonly textEmbeds?: tf.Tensor2D;
  /** [B, N]: original size, crop top-left, target size (N = 6 for SDXL base, 5 with aesthetic score for the refiner). */
  readonly timeIds?: tf.Tensor2D;
}

type DownBlock = DownBlock2D | CrossAttnDownBlock2D;
type UpBlock = UpBlock2D | CrossAttnUpBlock2D;

/**
 * diffusers' UNet2DConditionModel (SDXL's `unet`), NHWC, parameters named as in the checkpoint. Trainable by default.
 * Every op has a working tfjs gradient (no einsum, stridedSlice or broadcast-batched matMul), so
 * `tf.variableGrads` runs through it; `attentionChunkSize` and `enableGradientCheckpointing()` trade time for memory.
 */
export class UNet2DConditionModel extends DiffusersModel {
  readonly className: string = 'UNet2DConditionModel';
  readonly config: UNet2DConditionConfig;
  /** The resolved per-block layout. */
  readonly plan: UNetPlan;
  readonly conv_in: Conv2d;
  readonly time_embedding: TimestepEmbedding;
  readonly add_embedding: TimestepEmbedding | null;
  readonly down_blocks: ModuleList<DownBlock>;
  readonly up_blocks: ModuleList<UpBlock>;
  readonly mid_block: UNetMidBlock2DCrossAttn | UNetMidBlock2D | null;
  readonly conv_norm_out: GroupNorm;
  readonly conv_out: Conv2d;
  readonly #rawConfig: Readonly<Record<string, unknown>>;
  readonly #activation: Activation;
  readonly #timeEmbedActivation: Activation | null;

  private constructor(config: UNet2DConditionConfig, rawConfig: Readonly<Record<string, unknown>>, source: string) {
    super();
    this.config = config;
    this.#rawConfig = rawConfig;
    this.plan = planUNetBlocks(config, source);
    const channels = config.block_out_channels;
    this.#activation = diffusersActivation(config.act_fn);
    this.#timeEmbedActivation = config.time_embedding_act_fn === null ? null : diffusersActivation(config.time_embedding_act_fn);
    const timeEmbedDim = config.time_embedding_dim ?? 4 * channels[0]!;
    const resnet = (outputScaleFactor: number): ResnetSettings => ({
      tembChannels: timeEmbedDim,
      groups: config.norm_num_groups,
      eps: config.norm_eps,
      activation: this.#activation,
      timeEmbeddingNorm: config.resnet_time_scale_shift,
      outputScaleFactor,
    });
    const attention = (plan: { heads: number; crossAttentionDim: number; transformerLayers: readonly number[] }) => ({
      heads: plan.heads,
      crossAttentionDim: plan.crossAttentionDim,
      useLinearProjection: config.use_linear_projection,
      transformerLayers: plan.transformerLayers,
    });

    const pad = (kernel: number) => ({ padding: (kernel - 1) / 2 });
    this.conv_in = this.registerModule('conv_in', new Conv2d(config.in_channels, channels[0]!, config.conv_in_kernel, pad(config.conv_in_kernel)));
    const postActivation = config.timestep_post_act === null ? null : diffusersActivation(config.timestep_post_act);
    this.time_embedding = this.registerModule('time_embedding', new TimestepEmbedding(channels[0]!, timeEmbedDim, this.#activation, postActivation));
    // why: diffusers builds add_embedding = TimestepEmbedding(projection_dim, time_embed_dim) with its default act "silu".
    this.add_embedding =
      config.addition_embed_type === 'text_time'
        ? this.registerModule('add_embedding', new TimestepEmbedding(config.projection_class_embeddings_input_dim!, timeEmbedDim, diffusersActivation('silu')))
        : null;
    const down = this.plan.down.map((block) =>
      block.type === 'CrossAttnDownBlock2D'
        ? new CrossAttnDownBlock2D(block.inChannels, block.outChannels, block.layers, resnet(1), attention(block), block.resample ? config.downsample_padding : null)
        : new DownBlock2D(block.inChannels, block.outChannels, block.layers, resnet(1), block.resample ? config.downsample_padding : null),
    );
    const up = this.plan.up.map((block) =>
      block.type === 'CrossAttnUpBlock2D'
        ? new CrossAttnUpBlock2D(block, block.layers, resnet(1), attention(block), block.resample)
        : new UpBlock2D(block, block.layers, resnet(1), block.resample),
    );
    const last = channels.at(-1)!;
    const midScale = resnet(config.mid_block_scale_factor);
    // why: diffusers creates down_blocks and up_blocks (empty) before mid_block, so named_parameters() lists up before mid.
    this.down_blocks = this.registerModule('down_blocks', new ModuleList<DownBlock>(down));
    this.up_blocks = this.registerModule('up_blocks', new ModuleList<UpBlock>(up));
    this.mid_block =
      config.mid_block_type === 'UNetMidBlock2DCrossAttn'
        ? this.registerModule('mid_block', new UNetMidBlock2DCrossAttn(last, midScale, attention(this.plan.mid)))
        : config.mid_block_type === 'UNetMidBlock2D'
          ? this.registerModule('mid_block', new UNetMidBlock2D(last, 0, midScale, false, last))
          : null;
    this.conv_norm_out = this.registerModule('conv_norm_out', new GroupNorm(config.norm_num_groups, channels[0]!, { eps: config.norm_eps }));
    this.conv_out = this.registerModule('conv_out', new Conv2d(channels[0]!, config.out_channels, config.conv_out_kernel, pad(config.conv_out_kernel)));
  }

  /** The model described by `config` with no weights: names, shapes and counts only (nothing is allocated). */
  static meta(config: UNet2DConditionConfigInput = {}): UNet2DConditionModel {
    const source = 'UNet2DConditionModel config';
    return new UNet2DConditionModel(parseUNet2DConditionConfig(config, source), config as Record<string, unknown>, source);
  }

  /** A freshly initialised model (PyTorch's default initialisers, as diffusers does), trainable unless asked otherwise. */
  static fromConfig(config: UNet2DConditionConfigInput, random: number | RandomSource, options: { trainable?: boolean } = {}): UNet2DConditionModel {
    return UNet2DConditionModel.meta(config).setTrainable(options.trainable ?? true).initialize(random);
  }

  /** Loads `config.json` + `diffusion_pytorch_model.safetensors` (or variant / shards) from a local folder, e.g. `{ subfolder: 'unet' }`. */
  static fromPretrained(folder: string, options: PretrainedOptions = {}): Promise<UNet2DConditionModel> {
    return loadPretrained(folder, options, {
      format: 'diffusers',
      trainableByDefault: true,
      build: (raw, configPath) => {
        const source = `UNet2DConditionModel config ${configPath}`;
        return new UNet2DConditionModel(parseUNet2DConditionConfig(raw, source), raw, source);
      },
    });
  }

  /**
   * The noise prediction (diffusers `unet(...).sample`), NHWC [B, H, W, out_channels].
   * - `sample` NHWC [B, H, W, in_channels] (noisy latents);
   * - `timestep`: int32 or float32 [B], a single value ([] or [1]) used for every sample, or a number;
   * - `encoderHiddenStates` [B, L, cross_attention_dim] (SDXL: both text encoders' penultimate states, concatenated);
   * - `added`: `textEmbeds` and `timeIds` when addition_embed_type is "text_time".
   */
  forward(sample: tf.Tensor4D, timestep: tf.Tensor | number, encoderHiddenStates: tf.Tensor3D, added: UNetAddedConditions = {}): tf.Tensor4D {
    const batch = sample.shape[0];
    checkInput('UNet2DConditionModel', 'sample', sample, [null, null, null, this.config.in_channels], 'NHWC');
    this.#checkContext(encoderHiddenStates, batch);
    const runtime = this.runtime();
    return tf.tidy(() => {
      const x = this.config.center_input_sample ? (tf.sub(tf.mul(sample, 2), 1) as tf.Tensor4D) : sample;
      const emb = this.#embedding(this.#timesteps(timestep, batch), added, batch);
      let hidden = this.conv_in.forward(x);
      const skips: tf.Tensor4D[] = [hidden];
      for (const block of this.down_blocks) {
        const out = block instanceof CrossAttnDownBlock2D ? block.forward(hidden, emb, encoderHiddenStates, runtime) : block.forward(hidden, emb, runtime);
        hidden = out.hidden;
        skips.push(...out.states);
      }
      if (this.mid_block instanceof UNetMidBlock2DCrossAttn) hidden = this.mid_block.forward(hidden, emb, encoderHiddenStates, runtime);
      else if (this.mid_block !== null) hidden = this.mid_block.forward(hidden, emb, runtime);
      hidden = this.#up(hidden, skips, emb, encoderHiddenStates, runtime);
      return this.conv_out.forward(this.#activation(this.conv_norm_out.forward(hidden)) as tf.Tensor4D);
    });
  }

  /** Every diffusers 0.27 config key with the resolved (or, for the fixed fields, given) values, as diffusers' save_config writes them. */
  configJson(): Record<string, unknown> {
    return this.diffusersConfigJson(this.#rawConfig, { ...UNET_2D_CONDITION_FIXED_FIELDS, ...this.#rawConfig, ...this.config });
  }

  #up(x: tf.Tensor4D, skips: tf.Tensor4D[], emb: tf.Tensor2D, context: tf.Tensor3D, runtime: BlockRuntime): tf.Tensor4D {
    // why: diffusers forwards an explicit upsample size when a side is not a multiple of 2^upsamplers (odd sizes
    // round up when downsampling, so plain ×2 would overshoot the skip).
    const upsamplers = this.plan.up.filter((block) => block.resample).length;
    const factor = 2 ** upsamplers;
    const forwardSize = skips[0]!.shape[1] % factor !== 0 || skips[0]!.shape[2] % factor !== 0;
    let hidden = x;
    let remaining = skips;
    for (let i = 0; i < this.up_blocks.length; i++) {
      const block = this.up_blocks.at(i);
      const count = block.resnets.length;
      const taken = remaining.slice(remaining.length - count);
      remaining = remaining.slice(0, remaining.length - count);
      const isFinal = i === this.up_blocks.length - 1;
      const size = !isFinal && forwardSize ? ([remaining.at(-1)!.shape[1], remaining.at(-1)!.shape[2]] as [number, number]) : undefined;
      hidden = block instanceof CrossAttnUpBlock2D ? block.forward(hidden, taken, emb, context, runtime, size) : block.forward(hidden, taken, emb, runtime, size);
    }
    return hidden;
  }

  /** time_embedding(sinusoids(t)) [+ add_embedding([text_embeds, sinusoids(time_ids)])] [→ time_embedding_act_fn]. */
  #embedding(timesteps: tf.Tensor1D, added: UNetAddedConditions, batch: number): tf.Tensor2D {
    const c = this.config;
    const sinusoids = (t: tf.Tensor1D, dim: number) => timestepEmbedding(t, dim, { flipSinToCos: c.flip_sin_to_cos, downscaleFreqShift: c.freq_shift });
    let emb: tf.Tensor2D = this.time_embedding.forward(sinusoids(timesteps, c.block_out_channels[0]!));
    if (this.add_embedding !== null) {
      const { textEmbeds, timeIds } = this.#checkAdded(added, batch);
      const timeEmbeds = tf.reshape(sinusoids(tf.reshape(timeIds, [-1]) as tf.Tensor1D, c.addition_time_embed_dim!), [batch, -1]);
      emb = tf.add(emb, this.add_embedding.forward(tf.concat([textEmbeds, timeEmbeds], 1) as tf.Tensor2D));
    }
    return this.#timeEmbedActivation === null ? emb : (this.#timeEmbedActivation(emb) as tf.Tensor2D);
  }

  /** A [B] float32 tensor of timesteps from a number, a scalar, a [1] or a [B] tensor (diffusers `timesteps.expand(B)`). */
  #timesteps(timestep: tf.Tensor | number, batch: number): tf.Tensor1D {
    if (typeof timestep === 'number') return tf.fill([batch], timestep, 'float32');
    const fits = timestep.rank === 0 || (timestep.rank === 1 && (timestep.shape[0] === batch || timestep.shape[0] === 1));
    if (!fits || (timestep.dtype !== 'int32' && timestep.dtype !== 'float32')) {
      throw new SdxlError(ErrorCode.MODEL_INPUT_INVALID, `UNet2DConditionModel: timestep must be a number or an int32/float32 tensor [], [1] or [${batch}], got ${timestep.dtype} [${timestep.shape.join(', ')}]`, {
        details: { shape: timestep.shape, dtype: timestep.dtype },
      });
    }
    const values = tf.cast(tf.reshape(timestep, [-1]), 'float32') as tf.Tensor1D;
    return values.shape[0] === batch ? values : (tf.broadcastTo(values, [batch]) as tf.Tensor1D);
  }

  #checkContext(context: tf.Tensor3D, batch: number): void {
    const dims = new Set([
      ...this.plan.down.filter((block) => block.type === 'CrossAttnDownBlock2D').map((block) => block.crossAttentionDim),
      ...this.plan.up.filter((block) => block.type === 'CrossAttnUpBlock2D').map((block) => block.crossAttentionDim),
      ...(this.config.mid_block_type === 'UNetMidBlock2DCrossAttn' ? [this.plan.mid.crossAttentionDim] : []),
    ]);
    const width = dims.size === 1 ? [...dims][0]! : null;
    checkInput('UNet2DConditionModel', 'encoderHiddenStates', context, [batch, null, width], '[batch, tokens, cross_attention_dim]');
    if (dims.size > 1) {
      throw new SdxlError(ErrorCode.MODEL_INPUT_INVALID, `UNet2DConditionModel: its cross-attention blocks expect different widths (${[...dims].join(', ')}), but one encoderHiddenStates feeds them all`, {
        details: { widths: [...dims] },
      });
    }
  }

  #checkAdded(added: UNetAddedConditions, batch: number): { textEmbeds: tf.Tensor2D; timeIds: tf.Tensor2D } {
    const { textEmbeds, timeIds } = added;
    if (textEmbeds === undefined || timeIds === undefined) {
      throw new SdxlError(ErrorCode.MODEL_INPUT_INVALID, 'UNet2DConditionModel: addition_embed_type is "text_time", so forward needs added conditions { textEmbeds, timeIds } (diffusers added_cond_kwargs)', {
        details: { missing: [textEmbeds === undefined ? 'textEmbeds' : null, timeIds === undefined ? 'timeIds' : null].filter((name) => name !== null) },
      });
    }
    checkInput('UNet2DConditionModel', 'textEmbeds', textEmbeds, [batch, null], '[batch, pooled]');
    checkInput('UNet2DConditionModel', 'timeIds', timeIds, [batch, null], '[batch, ids]');
    const width = textEmbeds.shape[1] + timeIds.shape[1] * this.config.addition_time_embed_dim!;
    if (width !== this.config.projection_class_embeddings_input_dim) {
      throw new SdxlError(
        ErrorCode.MODEL_INPUT_INVALID,
        `UNet2DConditionModel: textEmbeds width ${textEmbeds.shape[1]} + ${timeIds.shape[1]} time ids × addition_time_embed_dim ${this.config.addition_time_embed_dim} = ${width}, but projection_class_embeddings_input_dim is ${this.config.projection_class_embeddings_input_dim}`,
        { details: { textEmbeds: textEmbeds.shape, timeIds: timeIds.shape } },
      );
    }
    return { textEmbeds, timeIds };
  }
}
