import type * as tf from '@tensorflow/tfjs-core';
import { ACTIVATIONS, type Activation } from '../functional/activations.js';
import { Init } from '../nn/Init.js';
import { Linear } from '../nn/Linear.js';
import { Module } from '../nn/Module.js';
import type { CLIPTextConfig } from './CLIPTextConfig.js';

/** transformers CLIPMLP: fc1 -> hidden_act -> fc2. */
export class CLIPMLP extends Module {
  readonly activation: Activation;
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(config: CLIPTextConfig) {
    super();
    this.activation = ACTIVATIONS[config.hidden_act]!;
    const width = config.hidden_size;
    const factor = config.initializer_factor;
    // why: CLIPPreTrainedModel._init_weights — fc1 std (2·width)^-0.5·factor, fc2 std width^-0.5·(2·layers)^-0.5·factor, biases 0.
    this.fc1 = this.registerModule('fc1', new Linear(width, config.intermediate_size, { weightInit: Init.normal((2 * width) ** -0.5 * factor), biasInit: Init.zeros() }));
    this.fc2 = this.registerModule(
      'fc2',
      new Linear(config.intermediate_size, width, { weightInit: Init.normal(width ** -0.5 * (2 * config.num_hidden_layers) ** -0.5 * factor), biasInit: Init.zeros() }),
    );
  }

  /** x [..., hidden] -> [..., hidden]. */
  forward(x: tf.Tensor): tf.Tensor {
    return this.fc2.forward(this.activation(this.fc1.forward(x)));
  }
}
