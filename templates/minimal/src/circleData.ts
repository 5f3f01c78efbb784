import { ArrayDataset, Rng, type TrainerPlugin } from '@sdxl-trainer/core';

const NAME = 'circle-data';

/** The training data: `count` points on the unit circle, each a `modelInput` of 2 numbers. */
export function circleData(count = 512, seed = 0): TrainerPlugin {
  return {
    name: NAME,
    apply(trainer) {
      // prepareDataset is a waterfall: each tap receives the dataset so far and returns the next one.
      trainer.hooks.prepareDataset.tap(NAME, () => {
        const rng = Rng.fromSeed(seed, NAME);
        return new ArrayDataset(
          Array.from({ length: count }, () => {
            const angle = rng.random() * 2 * Math.PI;
            return { modelInput: { data: Float32Array.of(Math.cos(angle), Math.sin(angle)), shape: [2] } };
          }),
        );
      });
    },
  };
}
