import * as tf from '@tensorflow/tfjs-core';
import { Conv2d } from '../nn/Conv2d.js';
import { GroupNorm } from '../nn/GroupNorm.js';
import { Linear } from '../nn/Linear.js';
import { Module } from '../nn/Module.js';
import { ModuleList } from '../nn/ModuleList.js';
import { BasicTransformerBlock } from './BasicTransformerBlock.js';
import type { BlockRuntime } from './BlockRuntime.js';

/** Options of {@link Transformer2DModel} (as diffusers' cross-attention UNet blocks build it). */
export interface Transformer2DModelOptions {
  readonly heads: number;
  readonly dimHead: number;
  readonly inChannels: number;
  /** Number of BasicTransformerBlocks (the UNet's transformer_layers_per_block entry). */
  readonly layers: number;
  readonly crossAttentionDim: number | null;
  readonly normGroups: number;
  /** proj_in / proj_out as Linear (SDXL) or as 1×1 Conv2d (SD 1.x). */
  readonly useLinearProjection: boolean;
}

/**
 * diffusers transformers/transformer_2d.py Transformer2DModel on continuous input: GroupNorm (eps 1e-6) → proj_in →
 * pixels as tokens [B, H·W, inner] → transformer_blocks → proj_out → + input. inner = heads·dimHead. In NHWC the
 * 1×1-conv projections act on the channels exactly as the linear ones do, so both are one reshape away.
 */
export class Transformer2DModel extends Module {
  readonly norm: GroupNorm;
  readonly proj_in: Linear | Conv2d;
  readonly transformer_blocks: ModuleList<BasicTransformerBlock>;
  readonly proj_out: Linear | Conv2d;
  readonly inner: number;

  constructor(options: Transformer2DModelOptions) {
    super();
    const { heads, dimHead, inChannels } = options;
    this.inner = heads * dimHead;
    const projection = (from: number, to: number): Linear | Conv2d => (options.useLinearProjection ? new Linear(from, to) : new Conv2d(from, to, 1));
    this.norm = this.registerModule('norm', new GroupNorm(options.normGroups, inChannels, { eps: 1e-6 }));
    this.proj_in = this.registerModule('proj_in', projection(inChannels, this.inner));
    const blocks = Array.from({ length: options.layers }, () => new BasicTransformerBlock({ dim: this.inner, heads, dimHead, crossAttentionDim: options.crossAttentionDim, normEps: 1e-5 }));
    this.transformer_blocks = this.registerModule('transformer_blocks', new ModuleList(blocks));
    this.proj_out = this.registerModule('proj_out', projection(this.inner, inChannels));
  }

  /** x [B, H, W, C], context [B, Lk, cross] -> [B, H, W, C]. */
  forward(x: tf.Tensor4D, context: tf.Tensor3D | null, runtime: BlockRuntime): tf.Tensor4D {
    const [b, h, w] = x.shape;
    return tf.tidy(() => {
      const normed = this.norm.forward(x) as tf.Tensor4D;
      let tokens = tf.reshape(this.proj_in.forward(normed), [b, h * w, this.inner]) as tf.Tensor3D;
      for (const block of this.transformer_blocks) tokens = block.forward(tokens, context, runtime);
      const out = this.proj_out.forward(tf.reshape(tokens, [b, h, w, this.inner]));
      return tf.add(out, x) as tf.Tensor4D;
    });
  }
}
