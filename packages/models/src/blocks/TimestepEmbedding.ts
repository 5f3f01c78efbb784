import * as tf from '@tensorflow/tfjs-core';
import type { Activation } from '../functional/activations.js';
import { Linear } from '../nn/Linear.js';
import { Module } from '../nn/Module.js';

/** diffusers embeddings.py TimestepEmbedding: linear_1 → act → linear_2 [→ post_act] (no cond_proj). */
export class TimestepEmbedding extends Module {
  readonly linear_1: Linear;
  readonly linear_2: Linear;
  readonly #activation: Activation;
  readonly #postActivation: Activation | null;

  constructor(inChannels: number, timeEmbedDim: number, activation: Activation, postActivation: Activation | null = null) {
    super();
    this.#activation = activation;
    this.#postActivation = postActivation;
    this.linear_1 = this.registerModule('linear_1', new Linear(inChannels, timeEmbedDim));
    this.linear_2 = this.registerModule('linear_2', new Linear(timeEmbedDim, timeEmbedDim));
  }

  /** x [B, in] -> [B, timeEmbedDim]. */
  forward(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const y = this.linear_2.forward(this.#activation(this.linear_1.forward(x)));
      return (this.#postActivation === null ? y : this.#postActivation(y)) as tf.Tensor2D;
    });
  }
}
