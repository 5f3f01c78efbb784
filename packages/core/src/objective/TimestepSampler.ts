import type { InjectionToken } from '../di.js';
import type { Rng } from '@sdxl-trainer/tensor';

/** Draws the training timesteps of a micro-batch. The sampleTimesteps waterfall may replace it (timestep bias). */
export interface TimestepSampler {
  readonly name: string;
  /** `batchSize` integer timesteps in [0, numTrainTimesteps). */
  sample(batchSize: number, rng: Rng): Int32Array;
}

/** DI token of the run's default {@link TimestepSampler}. */
export const TimestepSampler: InjectionToken<TimestepSampler> = Symbol.for('@sdxl-trainer/core:TimestepSampler');

/** Uniform timesteps, as the SDXL script's `torch.randint(0, T, (bsz,))`. */
export class UniformTimestepSampler implements TimestepSampler {
  readonly name = 'uniform';
  constructor(readonly numTrainTimesteps: number) {
    if (!Number.isInteger(numTrainTimesteps) || numTrainTimesteps < 1) {
      throw new RangeError(`numTrainTimesteps must be a positive integer, got ${numTrainTimesteps}`);
    }
  }
  sample(batchSize: number, rng: Rng): Int32Array {
    const out = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) out[i] = rng.randint(0, this.numTrainTimesteps);
    return out;
  }
}
