import { parseOptions, Stage, type TrainerPlugin } from '@sdxl-trainer/core';
import * as tf from '@tensorflow/tfjs-core';
import { p2WeightingOptionsSchema, type P2WeightingOptions } from './options.js';

/** The plugin's name: used for every tap, and in error messages. */
export const NAME = 'p2-weighting';

/** The metric the plugin reports with every step. */
export const P2_WEIGHT_MEAN = 'train/p2_weight_mean';

// Declaration merging: the metric gets a type wherever the trainer's metrics are read.
declare module '@sdxl-trainer/core' {
  interface MetricMap {
    /** Mean P2 weight over the samples of the last micro-batch. */
    'train/p2_weight_mean': number;
  }
}

/**
 * P2 weighting (Choi et al., "Perception Prioritized Training of Diffusion Models", arXiv 2204.00227, eq. 8):
 * each sample's loss is multiplied by 1 / (k + SNR(t))^γ, with SNR(t) = ᾱ_t / (1 − ᾱ_t). The noisiest timesteps,
 * where a model learns coarse content, keep weight ≈ 1; the cleanest, where it learns imperceptible detail, lose
 * weight. The paper derives it for epsilon prediction.
 */
export default function p2Weighting(options: P2WeightingOptions = {}): TrainerPlugin {
  // parseOptions throws an SdxlError naming the plugin, the option, the value and what was expected.
  const { gamma, k } = parseOptions(NAME, p2WeightingOptionsSchema, options, {
    gamma: 'a number ≥ 0 (0.5 or 1 in the paper)',
    k: 'a positive number (1 in the paper)',
  });
  return {
    name: NAME,
    apply(trainer) {
      // why Stage.REWEIGHT: a loss weighting multiplies what earlier taps produced (Min-SNR taps the same stage).
      trainer.hooks.computeLossWeights.tap({ name: NAME, stage: Stage.REWEIGHT }, (weights, { noiseSchedule, timestepValues, metrics }) => {
        const alphasCumprod = noiseSchedule.alphasCumprod;
        const factors = Float32Array.from(timestepValues, (t) => {
          const snr = alphasCumprod[t]! / (1 - alphasCumprod[t]!);
          return 1 / (k + snr) ** gamma;
        });
        metrics[P2_WEIGHT_MEAN] = factors.reduce((sum, w) => sum + w, 0) / factors.length;
        return tf.mul(weights, tf.tensor1d(factors));
      });
    },
  };
}

export { p2Weighting };
export { p2WeightingOptionsSchema, type P2WeightingOptions } from './options.js';
