import { Logger, ResolvedConfig, defineConfig, inject, injectable, type TrainerPlugin } from '@sdxl-trainer/core';

/** A service built by the run container, with explicit @inject on every parameter (legacy decorators). */
@injectable()
class StepAnnouncer {
  constructor(
    @inject(Logger) readonly logger: Logger,
    @inject(ResolvedConfig) readonly config: { readonly seed?: number | undefined },
  ) {}
}

const announcer = (): TrainerPlugin => ({
  name: 'case:announcer',
  apply(trainer) {
    trainer.hooks.environment.tap('case:announcer', () => {
      trainer.container.resolve(StepAnnouncer).logger.info(`seed ${trainer.container.resolve(StepAnnouncer).config.seed}`);
    });
  },
});

export default defineConfig({ seed: 7, plugins: [announcer()] });
