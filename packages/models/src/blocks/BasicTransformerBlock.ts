import * as tf from '@tensorflow/tfjs-core';
import { LayerNorm } from '../nn/LayerNorm.js';
import { Module } from '../nn/Module.js';
import { Attention } from './Attention.js';
import type { BlockRuntime } from './BlockRuntime.js';
import { FeedForward } from './FeedForward.js';
import { runWrapped } from './runWrapped.js';

/** Options of {@link BasicTransformerBlock}. */
export interface BasicTransformerBlockOptions {
  readonly dim: number;
  readonly heads: number;
  readonly dimHead: number;
  /** Width of encoder_hidden_states; null: no cross-attention (no norm2/attn2). */
  readonly crossAttentionDim: number | null;
  /** LayerNorm eps (Transformer2DModel's norm_eps, 1e-5 as the UNet builds it). */
  readonly normEps: number;
}

/**
 * diffusers attention.py BasicTransformerBlock with norm_type "layer_norm" (the UNet's): h += attn1(norm1(h)) (self);
 * h += attn2(norm2(h), context) (cross); h += ff(norm3(h)) (GEGLU). Attention q/k/v have no bias (attention_bias
 * false), to_out.0 has one.
 */
export class BasicTransformerBlock extends Module {
  readonly norm1: LayerNorm;
  readonly attn1: Attention;
  readonly norm2: LayerNorm | null;
  readonly attn2: Attention | null;
  readonly norm3: LayerNorm;
  readonly ff: FeedForward;

  constructor(options: BasicTransformerBlockOptions) {
    super();
    const { dim, heads, dimHead, crossAttentionDim, normEps } = options;
    this.norm1 = this.registerModule('norm1', new LayerNorm(dim, { eps: normEps }));
    this.attn1 = this.registerModule('attn1', new Attention({ queryDim: dim, crossAttentionDim: null, heads, dimHead, bias: false }));
    if (crossAttentionDim === null) {
      this.norm2 = null;
      this.attn2 = null;
    } else {
      this.norm2 = this.registerModule('norm2', new LayerNorm(dim, { eps: normEps }));
      this.attn2 = this.registerModule('attn2', new Attention({ queryDim: dim, crossAttentionDim, heads, dimHead, bias: false }));
    }
    this.norm3 = this.registerModule('norm3', new LayerNorm(dim, { eps: normEps }));
    this.ff = this.registerModule('ff', new FeedForward(dim));
  }

  /** h [B, L, dim], context [B, Lk, cross] (ignored without cross-attention) -> [B, L, dim]. */
  forward(hidden: tf.Tensor3D, context: tf.Tensor3D | null, runtime: BlockRuntime): tf.Tensor3D {
    if (this.attn2 !== null && context === null) throw new RangeError('this transformer block cross-attends: pass encoder_hidden_states');
    const inputs = this.attn2 === null ? [hidden] : [hidden, context!];
    return runWrapped(this, runtime.wrapper, inputs, (h, c) => this.#forward(h as tf.Tensor3D, (c ?? null) as tf.Tensor3D | null, runtime.attentionChunkSize)) as tf.Tensor3D;
  }

  #forward(hidden: tf.Tensor3D, context: tf.Tensor3D | null, chunk: number | undefined): tf.Tensor3D {
    return tf.tidy(() => {
      let h: tf.Tensor3D = tf.add(this.attn1.forward(this.norm1.forward(hidden) as tf.Tensor3D, null, chunk), hidden);
      if (this.attn2 !== null && this.norm2 !== null) h = tf.add(this.attn2.forward(this.norm2.forward(h) as tf.Tensor3D, context, chunk), h);
      return tf.add(this.ff.forward(this.norm3.forward(h)), h) as tf.Tensor3D;
    });
  }
}
