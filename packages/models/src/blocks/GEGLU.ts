import * as tf from '@tensorflow/tfjs-core';
import { gelu } from '../functional/activations.js';
import { Linear } from '../nn/Linear.js';
import { Module } from '../nn/Module.js';

/** diffusers activations.py GEGLU (arXiv 2002.05202): h, gate = proj(x).chunk(2, -1); h·gelu(gate), exact erf GELU. */
export class GEGLU extends Module {
  readonly proj: Linear;
  readonly #dimOut: number;

  constructor(dimIn: number, dimOut: number) {
    super();
    this.#dimOut = dimOut;
    this.proj = this.registerModule('proj', new Linear(dimIn, 2 * dimOut));
  }

  /** x [..., in] -> [..., out]. */
  forward(x: tf.Tensor): tf.Tensor {
    const { inFeatures } = this.proj;
    const out = this.#dimOut;
    return tf.tidy(() => {
      // why: splitting the [in, 2·out] weight (and bias) rather than the [tokens, 2·out] output slices far fewer values
      // (tokens ≫ in in a UNet); each output element is the same dot product either way.
      const x2 = tf.reshape(x, [-1, inFeatures]);
      const weight = this.proj.weight.tensor;
      const bias = this.proj.bias!.tensor;
      const half = (start: number) => tf.add(tf.matMul(x2, tf.slice(weight, [0, start], [inFeatures, out])), tf.slice(bias, [start], [out]));
      return tf.reshape(tf.mul(half(0), gelu(half(out))), [...x.shape.slice(0, -1), out]);
    });
  }
}
