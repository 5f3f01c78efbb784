import type * as tf from '@tensorflow/tfjs-core';
import { groupNorm } from '../functional/groupNorm.js';
import { Init } from './Init.js';
import { Module } from './Module.js';
import { Parameter } from './Parameter.js';

/** Options of {@link GroupNorm}. */
export interface GroupNormOptions {
  /** Added to the variance (default 1e-5, PyTorch's; diffusers passes 1e-6 in most blocks). */
  readonly eps?: number;
  /** Whether there are weight and bias (default true). */
  readonly affine?: boolean;
}

/** torch.nn.GroupNorm applied to channels-last input [N, ..., C] (weight 1, bias 0 at init). */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, options: GroupNormOptions = {}) {
    super();
    if (!Number.isInteger(numGroups) || numGroups <= 0 || numChannels % numGroups !== 0) {
      throw new RangeError(`GroupNorm: ${numChannels} channels do not split into ${numGroups} groups`);
    }
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = options.eps ?? 1e-5;
    const affine = options.affine ?? true;
    this.weight = affine ? this.registerParameter('weight', new Parameter([numChannels], { init: Init.ones() })) : null;
    this.bias = affine ? this.registerParameter('bias', new Parameter([numChannels], { init: Init.zeros() })) : null;
  }

  /** x [N, ..., C] -> same shape. */
  forward(x: tf.Tensor): tf.Tensor {
    return groupNorm(x, this.numGroups, this.weight?.tensor ?? null, this.bias?.tensor ?? null, this.eps);
  }
}
