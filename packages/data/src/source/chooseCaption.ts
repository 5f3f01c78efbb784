import { Rng } from '@sdxl-trainer/core';
import type { CaptionCell } from './ImageSource.js';

/**
 * Which of `count` captions one use of row `row` sees: the script's `random.choice`, drawn from a stream of
 * (seed, row, use) so every use (e.g. every epoch) is reproducible without saved generator state.
 */
export function chooseCaptionIndex(count: number, seed: number, row: number, use: number): number {
  return count <= 1 ? 0 : Rng.fromSeed(seed, `data/caption/${row}/${use}`).randint(0, count);
}

/** The caption one use of a sample sees: a string as is; from a list, the one {@link chooseCaptionIndex} picks. */
export function chooseCaption(cell: Exclude<CaptionCell, null>, seed: number, row: number, use: number): string {
  if (typeof cell === 'string') return cell;
  return cell[chooseCaptionIndex(cell.length, seed, row, use)]!;
}
