import type * as tf from '@tensorflow/tfjs-core';
import { layerNorm } from '../functional/layerNorm.js';
import { Init } from './Init.js';
import { Module } from './Module.js';
import { Parameter } from './Parameter.js';

/** Options of {@link LayerNorm}. */
export interface LayerNormOptions {
  /** Added to the variance (default 1e-5, PyTorch's). */
  readonly eps?: number;
  /** Whether there are weight and bias (default true). */
  readonly elementwiseAffine?: boolean;
}

/** torch.nn.LayerNorm over the last axis (weight 1, bias 0 at init). */
export class LayerNorm extends Module {
  readonly eps: number;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(normalizedShape: number, options: LayerNormOptions = {}) {
    super();
    this.eps = options.eps ?? 1e-5;
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? this.registerParameter('weight', new Parameter([normalizedShape], { init: Init.ones() })) : null;
    this.bias = affine ? this.registerParameter('bias', new Parameter([normalizedShape], { init: Init.zeros() })) : null;
  }

  /** Normalises over the last axis. */
  forward(x: tf.Tensor): tf.Tensor {
    return layerNorm(x, this.weight?.tensor ?? null, this.bias?.tensor ?? null, this.eps);
  }
}
