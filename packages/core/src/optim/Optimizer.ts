import type * as tf from '@tensorflow/tfjs-core';
import type { InjectionToken } from '../di.js';

/** Gradients or other tensors keyed by parameter name. */
export type NamedTensors = ReadonlyMap<string, tf.Tensor>;

/** Saved optimizer state: a step counter, JSON facts, and named tensors (e.g. `exp_avg.<param>`). */
export interface OptimizerState {
  readonly step: number;
  readonly tensors: Readonly<Record<string, tf.Tensor>>;
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** Updates the trained variables from gradients. */
export interface Optimizer {
  readonly name: string;
  /** One update of every variable that has a gradient, at learning rate `lr`. */
  step(gradients: NamedTensors, lr: number): void;
  /** Current state; the tensors stay owned by the optimizer (read them, do not dispose them). */
  stateDict(): OptimizerState;
  /** Continue from a saved state (tensors are copied). */
  loadStateDict(state: OptimizerState): void;
  /** Free the optimizer's tensors. */
  dispose(): void;
}

/** Hyper-parameters the trainer passes every optimizer factory (the SDXL script's --adam_* flags). */
export interface OptimizerSettings {
  readonly beta1: number;
  readonly beta2: number;
  readonly weightDecay: number;
  readonly epsilon: number;
}

/** Makes the optimizer for the trained variables. The createOptimizer waterfall may replace it (8-bit Adam). */
export interface OptimizerFactory {
  readonly name: string;
  create(variables: ReadonlyMap<string, tf.Variable>, settings: OptimizerSettings): Optimizer;
}

/** DI token of the run's default {@link OptimizerFactory}. */
export const OptimizerFactory: InjectionToken<OptimizerFactory> = Symbol.for('@sdxl-trainer/core:OptimizerFactory');
