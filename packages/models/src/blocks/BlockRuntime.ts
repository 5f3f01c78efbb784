import type * as tf from '@tensorflow/tfjs-core';

/**
 * Wraps a block function whose every input — activations and weights — is an argument, e.g. @sdxl-trainer/tensor's
 * `checkpoint` (gradient checkpointing via tf.customGrad). It must return a function computing the same value.
 */
export type BlockWrapper = (block: (...inputs: tf.Tensor[]) => tf.Tensor) => (...inputs: tf.Tensor[]) => tf.Tensor;

/** How a forward pass runs, handed down from the model to every block. */
export interface BlockRuntime {
  /** Queries per attention chunk (memory-efficient attention); undefined for the plain path. */
  readonly attentionChunkSize: number | undefined;
  /** Wraps every ResnetBlock2D and BasicTransformerBlock call (diffusers' checkpointing granularity); null for none. */
  readonly wrapper: BlockWrapper | null;
}

/** Plain forward: no chunking, no wrapper. */
export const PLAIN_RUNTIME: BlockRuntime = Object.freeze({ attentionChunkSize: undefined, wrapper: null });
