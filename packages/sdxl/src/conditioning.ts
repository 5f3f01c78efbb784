import type * as tf from '@tensorflow/tfjs-core';
import type { MicroStepContext, Trainer } from '@sdxl-trainer/core';
import type { CaptionCell, SampleOrigin } from '@sdxl-trainer/data';
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

/** What the caption hook knows about the row whose caption it transforms. */
export interface CaptionContext {
  /** Row of the training set (0-based, after --max_train_samples). */
  readonly row: number;
  /** Where the row comes from (file and row in it), for messages. */
  readonly origin: SampleOrigin;
  /** The run's seed (decisions drawn from it are reproducible). */
  readonly seed: number;
}

/** Hooks the SDXL UNet adapter calls and other SDXL plugins tap (webpack's getCompilationHooks pattern). */
export interface SdxlHooks {
  /** Transform a micro-batch's conditioning before the UNet sees it (caption dropout as zeroed conditioning). Runs under the gradient tape. */
  readonly conditioning: SyncWaterfallHook<[SdxlConditioning, MicroStepContext]>;
  /** Transform each row's caption cell once, before it is embedded (--proportion_empty_prompts as the script does it). The data plugin calls it. */
  readonly caption: SyncWaterfallHook<[CaptionCell, CaptionContext]>;
}

const registry = new WeakMap<Trainer, SdxlHooks>();

/** The SDXL hooks of a trainer, created on first use. */
export function getSdxlHooks(trainer: Trainer): SdxlHooks {
  let hooks = registry.get(trainer);
  if (!hooks) {
    hooks = Object.freeze({
      conditioning: new SyncWaterfallHook<[SdxlConditioning, MicroStepContext]>(['conditioning', 'context']),
      caption: new SyncWaterfallHook<[CaptionCell, CaptionContext]>(['caption', 'context']),
    });
    registry.set(trainer, hooks);
  }
  return hooks;
}
