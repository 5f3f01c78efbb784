import { Rng } from '@sdxl-trainer/core';

/** Name of the random stream of the per-row decisions (mode `encode`); the row is appended. */
export const EMPTY_PROMPT_STREAM = '@sdxl-trainer/plugin-sdxl-text-encoding/empty-prompt';

/**
 * Mode `encode`: whether row `row` trains on the empty caption — train_text_to_image_sdxl.py's
 * `if random.random() < proportion_empty_prompts: captions.append("")` in `encode_prompt`. The script draws it once,
 * inside the cached `datasets.map`; we draw it once per (seed, row) from its own stream, so the same rows are
 * empty in every epoch, on every machine, and whatever order the rows are visited in.
 */
export function isPromptDropped(proportion: number, seed: number, row: number): boolean {
  if (proportion <= 0) return false;
  return Rng.fromSeed(seed, `${EMPTY_PROMPT_STREAM}/${row}`).random() < proportion;
}
