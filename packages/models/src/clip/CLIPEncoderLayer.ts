import * as tf from '@tensorflow/tfjs-core';
import { LayerNorm } from '../nn/LayerNorm.js';
import { Module } from '../nn/Module.js';
import { CLIPAttention, type CLIPAttentionCall } from './CLIPAttention.js';
import type { CLIPTextConfig } from './CLIPTextConfig.js';
import { CLIPMLP } from './CLIPMLP.js';

/** transformers CLIPEncoderLayer, pre-LN: x + attn(ln1(x)), then + mlp(ln2(·)). */
export class CLIPEncoderLayer extends Module {
  readonly self_attn: CLIPAttention;
  readonly layer_norm1: LayerNorm;
  readonly mlp: CLIPMLP;
  readonly layer_norm2: LayerNorm;

  constructor(config: CLIPTextConfig) {
    super();
    this.self_attn = this.registerModule('self_attn', new CLIPAttention(config));
    this.layer_norm1 = this.registerModule('layer_norm1', new LayerNorm(config.hidden_size, { eps: config.layer_norm_eps }));
    this.mlp = this.registerModule('mlp', new CLIPMLP(config));
    this.layer_norm2 = this.registerModule('layer_norm2', new LayerNorm(config.hidden_size, { eps: config.layer_norm_eps }));
  }

  /** x [B, L, hidden] -> [B, L, hidden]. */
  forward(x: tf.Tensor3D, call: CLIPAttentionCall): tf.Tensor3D {
    return tf.tidy(() => {
      const attended = tf.add(x, this.self_attn.forward(this.layer_norm1.forward(x) as tf.Tensor3D, call));
      return tf.add(attended, this.mlp.forward(this.layer_norm2.forward(attended))) as tf.Tensor3D;
    });
  }
}
