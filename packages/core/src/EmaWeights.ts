import type * as tf from '@tensorflow/tfjs-core';
import type { InjectionToken } from './di.js';

/**
 * Averaged weights of the trained model (an EMA, --use_ema) that other plugins can swap in for a while:
 * validation renders with them and the final save writes them, as the SDXL script does.
 */
export interface EmaWeights {
  /** True from beforeTrain (when the average is made from the model) until shutdown. */
  readonly ready: boolean;
  /** Updates taken so far (diffusers `optimization_step`). */
  readonly optimizationStep: number;
  /** Decay of the last update, undefined before the first. */
  readonly currentDecay: number | undefined;
  /** The averaged weights by parameter name; owned by the provider (read, never dispose). */
  readonly shadowParams: ReadonlyMap<string, tf.Tensor>;
  /** Put the averaged weights into the model (diffusers `copy_to`). */
  copyTo(): void;
  /** Keep a copy of the model's weights for {@link EmaWeights.restore} (diffusers `store`). */
  store(): void;
  /** Put the stored weights back (diffusers `restore`). */
  restore(): void;
  /** `store`, `copyTo`, run `fn`, then `restore` even if `fn` throws: run something on the averaged weights. */
  withEmaWeights<T>(fn: () => T | Promise<T>): Promise<T>;
}

/** DI token of the run's {@link EmaWeights}, registered by an EMA plugin; absent when the run keeps no average. */
export const EmaWeights: InjectionToken<EmaWeights> = Symbol.for('@sdxl-trainer/core:EmaWeights');
