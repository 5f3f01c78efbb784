import type * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/** Checks a precomputed pair: embeddings `[B, L, D]` and pooled `[B, P]`, float32, the same batch. */
export function checkEmbeddings(embeds: tf.Tensor, pooled: tf.Tensor, embedsName: string, pooledName: string): void {
  const fail = (message: string, field: string) => new SdxlError(ErrorCode.PIPELINE_INPUT_INVALID, message, { details: { field } });
  if (embeds.rank !== 3 || embeds.dtype !== 'float32') throw fail(`${embedsName} must be a float32 [batch, tokens, width] tensor, got ${embeds.dtype} [${embeds.shape.join(', ')}]`, embedsName);
  if (pooled.rank !== 2 || pooled.dtype !== 'float32') throw fail(`${pooledName} must be a float32 [batch, width] tensor, got ${pooled.dtype} [${pooled.shape.join(', ')}]`, pooledName);
  if (pooled.shape[0] !== embeds.shape[0]) throw fail(`${pooledName} has batch ${pooled.shape[0]} but ${embedsName} has ${embeds.shape[0]}`, pooledName);
}
