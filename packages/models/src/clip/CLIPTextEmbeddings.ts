import * as tf from '@tensorflow/tfjs-core';
import { Embedding } from '../nn/Embedding.js';
import { Init } from '../nn/Init.js';
import { Module } from '../nn/Module.js';
import type { CLIPTextConfig } from './CLIPTextConfig.js';

/** transformers CLIPTextEmbeddings: token embedding + position embedding of positions 0..L-1. */
export class CLIPTextEmbeddings extends Module {
  readonly token_embedding: Embedding;
  readonly position_embedding: Embedding;

  constructor(config: CLIPTextConfig) {
    super();
    // why: CLIPPreTrainedModel._init_weights draws both tables from N(0, (0.02·initializer_factor)²), not initializer_range.
    const init = Init.normal(0.02 * config.initializer_factor);
    this.token_embedding = this.registerModule('token_embedding', new Embedding(config.vocab_size, config.hidden_size, { init }));
    this.position_embedding = this.registerModule('position_embedding', new Embedding(config.max_position_embeddings, config.hidden_size, { init }));
  }

  /** ids int32 [B, L] -> [B, L, hidden]. */
  forward(ids: tf.Tensor2D): tf.Tensor3D {
    const length = ids.shape[1];
    return tf.tidy(() => {
      const positions = tf.slice(this.position_embedding.weight.tensor, [0, 0], [length, -1]);
      return tf.add(this.token_embedding.forward(ids), positions) as tf.Tensor3D;
    });
  }
}
