import { ArrayDataset, Rng, type Sample, type TrainerPlugin } from '@sdxl-trainer/core';

/**
 * A toy dataset for tests: points on one of `classes` rings (the class as a one-hot `cond`), flattened to
 * `features` numbers — structured enough that a denoiser's loss falls, small enough to train in seconds.
 */
export function toySamples(count: number, features: number, classes: number, seed: number): Sample[] {
  const rng = Rng.fromSeed(seed, 'toy-data');
  return Array.from({ length: count }, (_, i) => {
    const label = i % classes;
    const angle = rng.random() * 2 * Math.PI;
    const radius = 0.5 + 0.4 * label;
    const data = new Float32Array(features);
    for (let f = 0; f < features; f++) data[f] = radius * (f % 2 === 0 ? Math.cos(angle + f) : Math.sin(angle + f));
    const cond = Array.from({ length: classes }, (_, c) => (c === label ? 1 : 0));
    return { modelInput: { data, shape: [features] }, cond, label: `ring-${label}` };
  });
}

/** A plugin providing {@link toySamples} in the prepareDataset hook. */
export function toyDataPlugin(samples: readonly Sample[]): TrainerPlugin {
  const name = 'test:toy-data';
  return {
    name,
    apply(trainer) {
      trainer.hooks.prepareDataset.tap(name, () => new ArrayDataset(samples));
    },
  };
}
