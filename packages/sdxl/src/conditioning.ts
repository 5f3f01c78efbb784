import type * as tf from '@tensorflow/tfjs-core';
import type { MicroStepContext, Trainer } from '@sdxl-trainer/core';
import { SyncWaterfallHook } from 'tapable';

/** What conditions the SDXL UNet in a training step. */
export interface SdxlConditioning {
  /** `encoder_hidden_states`, `[batch, 77, 2048]`. */
  readonly promptEmbeds: tf.Tensor3D;
  /** `added_cond_kwargs.text_embeds`, `[batch, 1280]`. */
  readonly pooledPromptEmbeds: tf.Tensor2D;
  /** `added_cond_kwargs.time_ids`, `[batch, 6]`. */
  readonly timeIds: tf.Tensor2D;
}

/** Hooks the SDXL UNet adapter calls and other SDXL plugins tap (webpack's getCompilationHooks pattern). */
export interface SdxlHooks {
  /** Transform a micro-batch's conditioning before the UNet sees it (caption dropout as zeroed conditioning). Runs under the gradient tape. */
  readonly conditioning: SyncWaterfallHook<[SdxlConditioning, MicroStepContext]>;
}

const registry = new WeakMap<Trainer, SdxlHooks>();

/** The SDXL hooks of a trainer, created on first use. */
export function getSdxlHooks(trainer: Trainer): SdxlHooks {
  let hooks = registry.get(trainer);
  if (!hooks) {
    hooks = Object.freeze({ conditioning: new SyncWaterfallHook<[SdxlConditioning, MicroStepContext]>(['conditioning', 'context']) });
    registry.set(trainer, hooks);
  }
  return hooks;
}
