import type { InjectionToken } from '@sdxl-trainer/core';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * What other plugins may do with a run's EMA (validation, the final save): swap the averaged weights into the model
 * and back, as the SDXL script does with `ema_unet.store` / `copy_to` / `restore`.
 */
export interface EmaWeights {
  /** True from beforeTrain (when the average is made from the model) until shutdown. */
  readonly ready: boolean;
  /** Updates taken so far (diffusers `optimization_step`). */
  readonly optimizationStep: number;
  /** Decay of the last update, undefined before the first. */
  readonly currentDecay: number | undefined;
  /** The averaged weights by parameter name; owned by the plugin (read, never dispose). */
  readonly shadowParams: ReadonlyMap<string, tf.Tensor>;
  /** Put the averaged weights into the model (diffusers `copy_to`). */
  copyTo(): void;
  /** Keep a copy of the model's weights for {@link EmaWeights.restore} (diffusers `store`). */
  store(): void;
  /** Put the stored weights back (diffusers `restore`). */
  restore(): void;
  /** `store`, `copyTo`, run `fn`, then `restore` even if `fn` throws: run something on the EMA weights. */
  withEmaWeights<T>(fn: () => T | Promise<T>): Promise<T>;
}

/** DI token of the run's {@link EmaWeights}, registered by the EMA plugin (`Symbol.for`, so a plugin can look it up without importing this package). */
export const EmaWeights: InjectionToken<EmaWeights> = Symbol.for('@sdxl-trainer/plugin-ema:EmaWeights');
