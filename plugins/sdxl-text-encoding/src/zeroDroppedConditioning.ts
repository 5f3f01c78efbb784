import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@sdxl-trainer/core';
import type { SdxlConditioning } from '@sdxl-trainer/sdxl';

/** Mode `zero`: which samples of a micro-batch lose their conditioning, each with probability `proportion` (one draw per sample). */
export function dropMask(rng: Rng, batchSize: number, proportion: number): boolean[] {
  return Array.from({ length: batchSize }, () => rng.random() < proportion);
}

/**
 * Mode `zero`: the conditioning with the rows of `dropped` set to exactly +0 — prompt embeddings, pooled embeddings
 * and add_time_ids (SimpleTuner's caption dropout, helpers/training/collate.py, which also zeroes the time ids), so
 * a dropped sample sees what SDXL inference feeds the unconditional branch with force_zeros_for_empty_prompt
 * (pipeline_stable_diffusion_xl.py `encode_prompt`: `torch.zeros_like(prompt_embeds)`). Other rows pass unchanged.
 */
export function zeroDroppedConditioning(conditioning: SdxlConditioning, dropped: readonly boolean[]): SdxlConditioning {
  if (!dropped.includes(true)) return conditioning;
  const keep = tf.tensor1d(dropped.map((d) => !d), 'bool');
  // why: tf.where broadcasts numpy-style, so the per-sample condition gets singleton axes for the trailing dims.
  const zeroRows = <T extends tf.Tensor>(x: T): T => tf.where(tf.reshape(keep, [x.shape[0]!, ...x.shape.slice(1).map(() => 1)]), x, tf.zerosLike(x)) as T;
  return {
    ...conditioning,
    promptEmbeds: zeroRows(conditioning.promptEmbeds),
    pooledPromptEmbeds: zeroRows(conditioning.pooledPromptEmbeds),
    timeIds: zeroRows(conditioning.timeIds),
  };
}
