import * as tf from '@tensorflow/tfjs-core';
import { NoiseSchedule, Stage, type TrainerPlugin } from '@sdxl-trainer/core';
import { parseMinSnrOptions, type MinSnrOptions } from './minSnrOptions.js';
import { minSnrWeights } from './minSnrWeights.js';
import { snrTable } from './snrTable.js';

/** The plugin's name: its tap name everywhere. */
export const NAME = '@sdxl-trainer/plugin-min-snr';

/** The metric this plugin reports. */
export const MIN_SNR_WEIGHT_MEAN = 'train/min_snr_weight_mean';

declare module '@sdxl-trainer/core' {
  interface MetricMap {
    /** Mean Min-SNR-γ weight over the samples of the optimizer step (before other weightings). */
    'train/min_snr_weight_mean': number;
  }
}

/**
 * Min-SNR-γ loss weighting (Hang et al., arXiv 2303.09556; diffusers --snr_gamma): multiplies each sample's
 * loss weight by `min(snr, γ) / snr` (epsilon), `min(snr, γ) / (snr + 1)` (v_prediction) or `min(snr, γ)` (sample),
 * exactly as train_text_to_image_sdxl.py does, and reports the mean weight as `train/min_snr_weight_mean`.
 */
export function minSnr(options: MinSnrOptions): TrainerPlugin {
  const { gamma, guardZeroSnr } = parseMinSnrOptions(NAME, options);
  const tables = new WeakMap<NoiseSchedule, Float32Array>();
  const snrOf = (schedule: NoiseSchedule): Float32Array => {
    let table = tables.get(schedule);
    if (!table) tables.set(schedule, (table = snrTable(schedule.alphasCumprod)));
    return table;
  };
  // why: micro-batches of one optimizer step share its `metrics` object, so the mean spans the whole step.
  const sums = new WeakMap<object, { sum: number; count: number }>();

  return {
    name: NAME,
    apply(trainer) {
      trainer.hooks.beforeTrain.tap(NAME, () => {
        if (!trainer.container.isRegistered(NoiseSchedule, true)) return;
        const schedule = trainer.container.resolve(NoiseSchedule);
        const predictionType = trainer.config.predictionType ?? schedule.predictionType;
        const zeroSnrSteps = [...snrOf(schedule)].flatMap((s, t) => (s === 0 ? [t] : []));
        if (zeroSnrSteps.length > 0 && predictionType === 'epsilon' && !guardZeroSnr) {
          trainer.logger.warn(
            `min-snr: the noise schedule has zero SNR at timestep ${zeroSnrSteps.join(', ')} (zero terminal SNR); with epsilon prediction its Min-SNR weight is 0/0 = NaN, as in diffusers, and the run stops with LOSS_NOT_FINITE if it is drawn. Set guardZeroSnr: true to give it weight 1.`,
            { timesteps: zeroSnrSteps },
          );
        }
      });
      trainer.hooks.computeLossWeights.tap({ name: NAME, stage: Stage.REWEIGHT }, (weights, context) => {
        // why: the weights are computed on the host from host timesteps, so no device sync is needed.
        const factors = minSnrWeights(snrOf(context.noiseSchedule), context.timestepValues, { gamma, predictionType: context.predictionType, guardZeroSnr });
        const step = sums.get(context.metrics) ?? { sum: 0, count: 0 };
        for (const w of factors) step.sum += w;
        step.count += factors.length;
        sums.set(context.metrics, step);
        context.metrics[MIN_SNR_WEIGHT_MEAN] = step.sum / step.count;
        return tf.mul(weights, tf.tensor1d(factors, 'float32'));
      });
    },
  };
}
