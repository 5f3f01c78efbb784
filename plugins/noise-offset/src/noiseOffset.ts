import { Stage, type TrainerPlugin } from '@sdxl-trainer/core';
import { parseNoiseOffsetOptions, type NoiseOffsetOptions } from './noiseOffsetOptions.js';
import { offsetNoise } from './offsetNoise.js';

/** The plugin's name: its tap name everywhere, and the name of its random stream. */
export const NAME = '@sdxl-trainer/plugin-noise-offset';

/**
 * Offset noise (diffusers --noise_offset): adds `offset · randn(B, 1, …, 1, C)` to the training noise in the
 * sampleNoise waterfall, drawn from the plugin's own seeded random stream. The result is the noise of the step —
 * used by add_noise, as the epsilon target and inside get_velocity — exactly as in the SDXL script.
 * With offset 0 the plugin does nothing.
 */
export function noiseOffset(options: NoiseOffsetOptions): TrainerPlugin {
  const { offset } = parseNoiseOffsetOptions(NAME, options);
  return {
    name: NAME,
    apply(trainer) {
      // why: the script only adds it `if args.noise_offset:`.
      if (offset === 0) return;
      trainer.hooks.sampleNoise.tap({ name: NAME, stage: Stage.DEFAULT }, (noise, context) => offsetNoise(noise, offset, context.rng.get(NAME)));
    },
  };
}
