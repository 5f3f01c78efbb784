import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { LossContext, MicroStepContext, NoiseContext } from '../contexts.js';
import type { DenoisingModel } from './DenoisingModel.js';
import type { NoiseSchedule, PredictionType } from './NoiseSchedule.js';
import type { TimestepSampler } from './TimestepSampler.js';

/** The batch key holding the clean model input x_0 (diffusers' `model_input`: latents × scaling factor). */
export const MODEL_INPUT_KEY = 'modelInput';

/** What the diffusion loss needs besides the micro-batch. */
export interface DiffusionLossParts {
  readonly model: DenoisingModel;
  readonly noiseSchedule: NoiseSchedule;
  readonly predictionType: PredictionType;
  readonly defaultSampler: TimestepSampler;
  /** The trainer's waterfalls, in the order the SDXL script meets them. */
  readonly sampleTimesteps: (sampler: TimestepSampler, context: MicroStepContext) => TimestepSampler;
  readonly sampleNoise: (noise: tf.Tensor, context: NoiseContext) => tf.Tensor;
  readonly computeLossWeights: (weights: tf.Tensor1D, context: LossContext) => tf.Tensor1D;
}

/**
 * The training loss of one micro-batch, as train_text_to_image_sdxl.py computes it: draw noise and
 * timesteps, noise the input with the schedule, predict, take the target of the prediction type
 * (ε → noise; v → get_velocity; sample → x_0, with the prediction minus the noise), then the mean of the
 * per-sample MSE times the per-sample weights (all 1 unless a plugin such as Min-SNR changes them).
 * With weights 1 this equals `F.mse_loss(pred, target, reduction="mean")`. Runs under the gradient tape.
 */
export function diffusionLoss(parts: DiffusionLossParts, context: MicroStepContext): tf.Scalar {
  const x0 = context.batch.tensors[MODEL_INPUT_KEY];
  if (!x0) {
    const keys = Object.keys(context.batch.tensors);
    throw new SdxlError(ErrorCode.TRAINER_NO_DATA, `the batch has no "${MODEL_INPUT_KEY}" tensor (it has ${keys.length ? keys.join(', ') : 'no tensors'}); the data plugins must put the clean model input there`);
  }
  const batchSize = x0.shape[0]!;
  const schedule = parts.noiseSchedule;

  const baseNoise = tf.tensor(context.rng.get('noise').fillNormal(new Float32Array(x0.size)), x0.shape, 'float32');
  const noise = parts.sampleNoise(baseNoise, { ...context, modelInput: x0 });

  const sampler = parts.sampleTimesteps(parts.defaultSampler, context);
  const timestepValues = sampler.sample(batchSize, context.rng.get('timesteps'));
  checkTimesteps(timestepValues, batchSize, schedule.numTrainTimesteps, sampler.name);
  const timesteps = tf.tensor1d(timestepValues, 'int32');

  const noisy = schedule.addNoise(x0, noise, timesteps);
  let prediction = parts.model.predict({ noisy, timesteps, batch: context.batch, context });
  if (prediction.shape.join() !== x0.shape.join()) {
    throw new SdxlError(ErrorCode.TRAINER_NO_MODEL, `the model predicted shape [${prediction.shape}] for an input of shape [${x0.shape}]`);
  }
  let target: tf.Tensor;
  if (parts.predictionType === 'epsilon') {
    target = noise;
  } else if (parts.predictionType === 'v_prediction') {
    target = schedule.getVelocity(x0, noise, timesteps);
  } else {
    // why: the SDXL script's "sample" branch: the target is x_0 and the noise is subtracted from the prediction.
    target = x0;
    prediction = tf.sub(prediction, noise);
  }
  const axes = Array.from({ length: x0.rank - 1 }, (_, i) => i + 1);
  const perSampleLoss = tf.mean(tf.squaredDifference(prediction, target), axes) as tf.Tensor1D;
  const weights = parts.computeLossWeights(tf.ones([batchSize]) as tf.Tensor1D, {
    ...context,
    timesteps,
    timestepValues,
    noiseSchedule: schedule,
    predictionType: parts.predictionType,
    perSampleLoss,
  });
  if (weights.shape.length !== 1 || weights.shape[0] !== batchSize) {
    throw new SdxlError(ErrorCode.PLUGIN_HOOK_FAILED, `computeLossWeights returned shape [${weights.shape}], expected [${batchSize}]`, { hook: 'computeLossWeights' });
  }
  return tf.mean(tf.mul(perSampleLoss, weights)) as tf.Scalar;
}

function checkTimesteps(values: Int32Array, batchSize: number, total: number, sampler: string): void {
  if (values.length !== batchSize) {
    throw new SdxlError(ErrorCode.PLUGIN_HOOK_FAILED, `timestep sampler "${sampler}" returned ${values.length} timesteps for a batch of ${batchSize}`, { hook: 'sampleTimesteps' });
  }
  for (const t of values) {
    if (!(t >= 0 && t < total)) {
      throw new SdxlError(ErrorCode.PLUGIN_HOOK_FAILED, `timestep sampler "${sampler}" returned timestep ${t}, outside [0, ${total})`, { hook: 'sampleTimesteps' });
    }
  }
}
