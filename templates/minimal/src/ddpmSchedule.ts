import { NoiseSchedule, type TrainerPlugin } from '@sdxl-trainer/core';
import { DDPMScheduler } from '@sdxl-trainer/schedulers';

const NAME = 'ddpm-schedule';

/** The noise schedule of the run: SDXL's DDPM training schedule (scaled_linear betas 0.00085 → 0.012, 1000 steps). */
export function ddpmSchedule(): TrainerPlugin {
  return {
    name: NAME,
    apply(trainer) {
      let scheduler: DDPMScheduler | undefined;
      // The run's providers are registered in its own DI container; the trainer resolves NoiseSchedule from there.
      trainer.hooks.environment.tap(NAME, () => {
        scheduler = DDPMScheduler.fromConfig({ beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, num_train_timesteps: 1000 });
        trainer.container.register(NoiseSchedule, { useValue: scheduler });
      });
      trainer.hooks.shutdown.tap(NAME, () => scheduler?.dispose());
    },
  };
}
