import { DataLoaderFactory, shuffledDataLoaderFactory } from '../data/DataLoader.js';
import { NoiseSchedule } from '../objective/NoiseSchedule.js';
import { TimestepSampler, UniformTimestepSampler } from '../objective/TimestepSampler.js';
import { adamWFactory } from '../optim/AdamW.js';
import { OptimizerFactory } from '../optim/Optimizer.js';
import type { TrainerPlugin } from '../plugin.js';

const NAME = '@sdxl-trainer/core:default-providers';

/**
 * Registers the default providers: uniform timesteps over the noise schedule's range, AdamW, and the
 * seeded shuffling data loader. Registered in `apply`, before any plugin's environment tap, so a plugin that
 * registers the same token later replaces them (tsyringe resolves the last registration).
 */
export function defaultProviders(): TrainerPlugin {
  return {
    name: NAME,
    apply(trainer) {
      trainer.container.register(TimestepSampler, {
        useFactory: (c) => new UniformTimestepSampler(c.resolve(NoiseSchedule).numTrainTimesteps),
      });
      trainer.container.register(OptimizerFactory, { useValue: adamWFactory });
      trainer.container.register(DataLoaderFactory, { useValue: shuffledDataLoaderFactory });
    },
  };
}
