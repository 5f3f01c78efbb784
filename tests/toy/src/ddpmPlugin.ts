import { DDPMScheduler } from '@sdxl-trainer/schedulers';
import { NoiseSchedule, type TrainerPlugin } from '@sdxl-trainer/core';

/** SDXL's training noise schedule (scaled_linear, β 0.00085 → 0.012, T = 1000), registered as the run's NoiseSchedule. */
export function ddpmPlugin(overrides: Record<string, unknown> = {}): TrainerPlugin {
  const name = 'test:ddpm';
  return {
    name,
    apply(trainer) {
      let scheduler: DDPMScheduler | undefined;
      trainer.hooks.environment.tap(name, () => {
        scheduler = DDPMScheduler.fromConfig({ beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', num_train_timesteps: 1000, ...overrides });
        trainer.container.register(NoiseSchedule, { useValue: scheduler });
      });
      trainer.hooks.shutdown.tap(name, () => scheduler?.dispose());
    },
  };
}
