import type * as tf from '@tensorflow/tfjs-core';
import type { InjectionToken } from '../di.js';

/** What the model predicts: the noise (epsilon), the velocity (v_prediction) or the clean sample. */
export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';

/** The forward (noising) process a diffusion objective trains against — diffusers' DDPMScheduler in training. */
export interface NoiseSchedule {
  /** Number of training timesteps T; timesteps are drawn from [0, T). */
  readonly numTrainTimesteps: number;
  /** The prediction type of the scheduler config. */
  readonly predictionType: PredictionType;
  /** ᾱ_t for t in [0, T), float32 as the scheduler computes it. */
  readonly alphasCumprod: Float32Array;
  /** x_t = sqrt(ᾱ_t)·x_0 + sqrt(1−ᾱ_t)·ε, per sample. */
  addNoise(original: tf.Tensor, noise: tf.Tensor, timesteps: tf.Tensor1D): tf.Tensor;
  /** v = sqrt(ᾱ_t)·ε − sqrt(1−ᾱ_t)·x_0, per sample. */
  getVelocity(sample: tf.Tensor, noise: tf.Tensor, timesteps: tf.Tensor1D): tf.Tensor;
}

/** DI token of the run's {@link NoiseSchedule}. */
export const NoiseSchedule: InjectionToken<NoiseSchedule> = Symbol.for('@sdxl-trainer/core:NoiseSchedule');
