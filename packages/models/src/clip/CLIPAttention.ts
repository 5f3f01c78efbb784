import * as tf from '@tensorflow/tfjs-core';
import { mergeHeads, scaledDotProductAttention, splitHeads } from '../functional/attention.js';
import { Init } from '../nn/Init.js';
import { Linear } from '../nn/Linear.js';
import { Module } from '../nn/Module.js';
import type { CLIPTextConfig } from './CLIPTextConfig.js';

/** Options of one attention call. */
export interface CLIPAttentionCall {
  readonly causal: boolean;
  /** Queries per chunk (memory-efficient attention); undefined for one chunk. */
  readonly queryChunkSize?: number | undefined;
}

/** transformers CLIPAttention: multi-head self-attention, q/k/v/out projections with biases, scale head_dim^-0.5. */
export class CLIPAttention extends Module {
  readonly heads: number;
  readonly k_proj: Linear;
  readonly v_proj: Linear;
  readonly q_proj: Linear;
  readonly out_proj: Linear;

  constructor(config: CLIPTextConfig) {
    super();
    const width = config.hidden_size;
    this.heads = config.num_attention_heads;
    // why: CLIPPreTrainedModel._init_weights — in_proj_std = width^-0.5·(2·layers)^-0.5·factor, out_proj_std = width^-0.5·factor, biases 0.
    const factor = config.initializer_factor;
    const inStd = width ** -0.5 * (2 * config.num_hidden_layers) ** -0.5 * factor;
    const projection = (std: number): Linear => new Linear(width, width, { weightInit: Init.normal(std), biasInit: Init.zeros() });
    // why: registered in transformers' order (k, v, q, out), so named_parameters() order matches.
    this.k_proj = this.registerModule('k_proj', projection(inStd));
    this.v_proj = this.registerModule('v_proj', projection(inStd));
    this.q_proj = this.registerModule('q_proj', projection(inStd));
    this.out_proj = this.registerModule('out_proj', projection(width ** -0.5 * factor));
  }

  /** x [B, L, hidden] -> [B, L, hidden]. */
  forward(x: tf.Tensor3D, call: CLIPAttentionCall): tf.Tensor3D {
    return tf.tidy(() => {
      const q = splitHeads(this.q_proj.forward(x) as tf.Tensor3D, this.heads);
      const k = splitHeads(this.k_proj.forward(x) as tf.Tensor3D, this.heads);
      const v = splitHeads(this.v_proj.forward(x) as tf.Tensor3D, this.heads);
      const attended = scaledDotProductAttention(q, k, v, { causal: call.causal, queryChunkSize: call.queryChunkSize });
      return this.out_proj.forward(mergeHeads(attended, this.heads)) as tf.Tensor3D;
    });
  }
}
