import type * as tf from '@tensorflow/tfjs-core';
import type { MicroStepContext } from '../contexts.js';
import type { Batch } from '../data/Batch.js';
import type { InjectionToken } from '../di.js';

/** What the model sees in a training step. */
export interface DenoiserInput {
  /** Noisy model input x_t, shaped like the batch's `modelInput`. */
  readonly noisy: tf.Tensor;
  /** Integer timesteps, `[batch]` int32. */
  readonly timesteps: tf.Tensor1D;
  /** The whole micro-batch, for conditioning (e.g. prompt embeddings, time ids). */
  readonly batch: Batch;
  /** The micro-step being computed (step, random streams, control), for model-side hooks such as conditioning. */
  readonly context: MicroStepContext;
}

/**
 * The model being trained: named trainable variables and a prediction (noise, velocity or sample,
 * as the noise schedule's prediction type says). The SDXL UNet adapter implements this.
 */
export interface DenoisingModel {
  /** Every trainable variable, by parameter name (diffusers' names, e.g. `down_blocks.0.resnets.0.conv1.weight`). */
  readonly trainableVariables: ReadonlyMap<string, tf.Variable>;
  /** Predict for a noisy batch. Runs under the gradient tape: use only differentiable tfjs ops. */
  predict(input: DenoiserInput): tf.Tensor;
}

/** DI token of the {@link DenoisingModel} a run trains. */
export const DenoisingModel: InjectionToken<DenoisingModel> = Symbol.for('@sdxl-trainer/core:DenoisingModel');
