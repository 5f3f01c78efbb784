import * as tf from '@tensorflow/tfjs-core';
import { Init } from './Init.js';
import { Module } from './Module.js';
import { Parameter } from './Parameter.js';
import { linearLayout } from './ParameterLayout.js';

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Whether there is a bias (default true). */
  readonly bias?: boolean;
  /** Weight initialiser (default PyTorch's: U(±1/√in)). */
  readonly weightInit?: Init;
  /** Bias initialiser (default PyTorch's: U(±1/√in)). */
  readonly biasInit?: Init;
}

/** torch.nn.Linear: y = x·Wᵀ + b over the last axis. The weight is stored [in, out] (see linearLayout). */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = this.registerParameter(
      'weight',
      new Parameter([outFeatures, inFeatures], { layout: linearLayout, init: options.weightInit ?? Init.torchDefaultWeight(inFeatures) }),
    );
    this.bias = options.bias === false ? null : this.registerParameter('bias', new Parameter([outFeatures], { init: options.biasInit ?? Init.torchDefaultBias(inFeatures) }));
  }

  /** x [..., in] -> [..., out]. */
  forward(x: tf.Tensor): tf.Tensor {
    const last = x.shape[x.rank - 1];
    if (last !== this.inFeatures) throw new RangeError(`Linear(${this.inFeatures}, ${this.outFeatures}) got input shape [${x.shape.join(', ')}]`);
    return tf.tidy(() => {
      // why: a 2-D matMul is wasm's fast path, and a rank-3 x against a 2-D weight has no working gradient in
      // tfjs-core 4.22 (research/backend.md §1, broadcast-batched matMul).
      let y: tf.Tensor = tf.matMul(tf.reshape(x, [-1, this.inFeatures]), this.weight.tensor);
      if (this.bias !== null) y = tf.add(y, this.bias.tensor);
      return tf.reshape(y, [...x.shape.slice(0, -1), this.outFeatures]);
    });
  }
}
