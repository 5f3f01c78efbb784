import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { readEulerConfig, type EulerDiscreteSchedulerConfig } from './eulerConfig.js';
import { interpolate, karrasSigmas, sigmaToTimestep, spacedTimesteps, trainingSigmas } from './eulerSigmas.js';
import { f32 } from './float32.js';
import { computeNoiseSchedule, type NoiseSchedule } from './NoiseSchedule.js';
import type { PredictionType } from './noiseScheduleConfig.js';
import { readSchedulerConfig, type FromPretrainedOptions } from './readSchedulerConfig.js';

/** Options of {@link EulerDiscreteScheduler.step}: Karras et al.'s "churn" (defaults: none). */
export interface EulerStepOptions {
  readonly sChurn?: number;
  readonly sTmin?: number;
  readonly sTmax?: number;
  readonly sNoise?: number;
  /** N(0, 1) noise shaped like the sample; required when churn applies at this step (diffusers draws it from `generator`). */
  readonly noise?: tf.Tensor;
}

/** What {@link EulerDiscreteScheduler.step} returns; the caller owns (and disposes) both tensors. */
export interface EulerStepOutput {
  /** x at the next (less noisy) sigma. */
  readonly prevSample: tf.Tensor;
  /** The model's estimate of the clean sample at this step. */
  readonly predOriginalSample: tf.Tensor;
}

/**
 * Euler sampler of Karras et al. 2022 (arXiv 2206.00364, Algorithm 2) over a DDPM noise schedule, as diffusers 0.27.2's
 * `schedulers/scheduling_euler_discrete.py` runs it: `setTimesteps`, `initNoiseSigma`, `scaleModelInput`, `step`.
 * Holds no tensors between calls.
 */
export class EulerDiscreteScheduler {
  /** The resolved config (defaults filled in). */
  readonly config: Readonly<EulerDiscreteSchedulerConfig>;
  /** Config keys that are not EulerDiscreteScheduler fields and were ignored, as diffusers ignores them. */
  readonly ignoredConfigFields: readonly string[];
  readonly #schedule: NoiseSchedule;
  readonly #trainingSigmas: Float32Array;
  #timesteps: Float32Array;
  #sigmas: Float32Array;
  #numInferenceSteps: number | undefined;
  #stepIndex: number | undefined;
  #beginIndex: number | undefined;

  private constructor(config: EulerDiscreteSchedulerConfig, ignored: readonly string[]) {
    this.config = Object.freeze(config);
    this.ignoredConfigFields = Object.freeze([...ignored]);
    this.#schedule = computeNoiseSchedule(config);
    // why: with zero terminal SNR the last sigma would be infinite; diffusers clamps ᾱ_T to 2^-24 (as here) instead.
    if (config.rescale_betas_zero_snr) this.#schedule.alphasCumprod[config.num_train_timesteps - 1] = 2 ** -24;
    this.#trainingSigmas = trainingSigmas(this.#schedule.alphasCumprod);
    // Before setTimesteps: every training timestep, T-1 down to 0, with its sigma.
    const descending = this.#trainingSigmas.slice().reverse();
    const timesteps = Float32Array.from(descending, (_, i) => config.num_train_timesteps - 1 - i);
    this.#timesteps = this.#continuous() ? descending.map((sigma) => 0.25 * f32(Math.log(sigma))) : timesteps;
    this.#sigmas = Float32Array.from([...descending, 0]);
  }

  /** Builds the scheduler from a parsed `scheduler_config.json` object. */
  static fromConfig(config: Readonly<Record<string, unknown>>): EulerDiscreteScheduler {
    const { config: resolved, ignored } = readEulerConfig(config);
    return new EulerDiscreteScheduler(resolved, ignored);
  }

  /** Reads `<folder>/<subfolder>/scheduler_config.json`. */
  static async fromPretrained(folder: string, options: FromPretrainedOptions = {}): Promise<EulerDiscreteScheduler> {
    return EulerDiscreteScheduler.fromConfig(await readSchedulerConfig(folder, options));
  }

  /** Number of training timesteps T. */
  get numTrainTimesteps(): number {
    return this.config.num_train_timesteps;
  }

  /** What the model predicts. */
  get predictionType(): PredictionType {
    return this.config.prediction_type;
  }

  /** A copy of alphas_cumprod (with the 2^-24 clamp under rescale_betas_zero_snr). */
  get alphasCumprod(): Float32Array {
    return this.#schedule.alphasCumprod.slice();
  }

  /** A copy of the betas. */
  get betas(): Float32Array {
    return this.#schedule.betas.slice();
  }

  /** A copy of the timesteps to feed the model, descending (float32). */
  get timesteps(): Float32Array {
    return this.#timesteps.slice();
  }

  /** A copy of the sigmas, one per timestep plus a final 0 (float32). */
  get sigmas(): Float32Array {
    return this.#sigmas.slice();
  }

  /** The step count given to setTimesteps, or undefined before it. */
  get numInferenceSteps(): number | undefined {
    return this.#numInferenceSteps;
  }

  /** Index of the next step, or undefined until scaleModelInput/step first runs. */
  get stepIndex(): number | undefined {
    return this.#stepIndex;
  }

  /** Standard deviation of the initial noise: max σ for linspace/trailing spacing, sqrt(max σ² + 1) for leading. */
  get initNoiseSigma(): number {
    const max = this.#sigmas.reduce((a, b) => Math.max(a, b), -Infinity);
    if (this.config.timestep_spacing !== 'leading') return max;
    return f32(Math.sqrt(f32(f32(max * max) + 1)));
  }

  /** Computes the timesteps and sigmas for `numInferenceSteps` steps and resets the step index. */
  setTimesteps(numInferenceSteps: number): void {
    const { num_train_timesteps: trainSteps, timestep_spacing: spacing, steps_offset: offset } = this.config;
    if (!Number.isInteger(numInferenceSteps) || numInferenceSteps < 1 || numInferenceSteps > trainSteps) {
      throw new SdxlError(
        ErrorCode.SCHEDULER_INVALID_ARGUMENT,
        `EulerDiscreteScheduler.setTimesteps: numInferenceSteps = ${numInferenceSteps}; expected an integer in [1, ${trainSteps}]`,
        { details: { numInferenceSteps } },
      );
    }
    let timesteps = spacedTimesteps(spacing, trainSteps, numInferenceSteps, offset);
    let sigmas = timesteps.map((t) => interpolate(this.#trainingSigmas, t));
    if (this.config.use_karras_sigmas) {
      const logSigmas = this.#trainingSigmas.map((sigma) => Math.log(sigma));
      sigmas = karrasSigmas(this.config.sigma_min ?? sigmas[sigmas.length - 1]!, this.config.sigma_max ?? sigmas[0]!, numInferenceSteps);
      timesteps = sigmas.map((sigma) => sigmaToTimestep(sigma, logSigmas));
    }
    const sigmas32 = Float32Array.from(sigmas);
    this.#timesteps = this.#continuous() ? sigmas32.map((sigma) => 0.25 * f32(Math.log(sigma))) : Float32Array.from(timesteps);
    this.#sigmas = Float32Array.from([...sigmas32, 0]);
    this.#numInferenceSteps = numInferenceSteps;
    this.#stepIndex = undefined;
    this.#beginIndex = undefined;
  }

  /** Starts stepping at this index instead of looking the first timestep up (diffusers `set_begin_index`, for img2img). */
  setBeginIndex(beginIndex: number): void {
    this.#beginIndex = beginIndex;
  }

  /** Index of `timestep` in the schedule (the second match when it occurs twice, as diffusers picks). */
  indexForTimestep(timestep: number): number {
    const target = f32(timestep);
    const matches: number[] = [];
    this.#timesteps.forEach((value, index) => value === target && matches.push(index));
    if (matches.length === 0) {
      throw new SdxlError(
        ErrorCode.SCHEDULER_INVALID_ARGUMENT,
        `EulerDiscreteScheduler: timestep ${timestep} is not in the schedule [${[...this.#timesteps.subarray(0, 8)].join(', ')}${this.#timesteps.length > 8 ? ', ...' : ''}]; pass one of scheduler.timesteps`,
        { details: { timestep } },
      );
    }
    return matches.length > 1 ? matches[1]! : matches[0]!;
  }

  /** The model input at this step: sample / sqrt(σ² + 1). */
  scaleModelInput(sample: tf.Tensor, timestep: number): tf.Tensor {
    this.#stepIndex ??= this.#beginIndex ?? this.indexForTimestep(timestep);
    const sigma = this.#sigmas[this.#stepIndex]!;
    const scale = f32(Math.sqrt(f32(f32(sigma * sigma) + 1)));
    return tf.tidy(() => tf.div(sample, tf.scalar(scale, 'float32')));
  }

  /** One Euler step from the model output at `timestep`; advances the step index. */
  step(modelOutput: tf.Tensor, timestep: number, sample: tf.Tensor, options: EulerStepOptions = {}): EulerStepOutput {
    this.#stepIndex ??= this.#beginIndex ?? this.indexForTimestep(timestep);
    const index = this.#stepIndex;
    if (index + 1 >= this.#sigmas.length) {
      throw new SdxlError(ErrorCode.SCHEDULER_INVALID_ARGUMENT, `EulerDiscreteScheduler.step: all ${this.#sigmas.length - 1} steps are done; call setTimesteps again`, {
        details: { stepIndex: index },
      });
    }
    const { sChurn = 0, sTmin = 0, sTmax = Infinity, sNoise = 1, noise } = options;
    const sigma = this.#sigmas[index]!;
    const gamma = sTmin <= sigma && sigma <= sTmax ? Math.min(sChurn / (this.#sigmas.length - 1), 2 ** 0.5 - 1) : 0;
    const sigmaHat = f32(sigma * f32(gamma + 1));
    if (gamma > 0 && noise === undefined) {
      throw new SdxlError(ErrorCode.SCHEDULER_INVALID_ARGUMENT, `EulerDiscreteScheduler.step: sChurn = ${sChurn} adds noise at this step; pass options.noise (N(0, 1) shaped like the sample)`, {
        details: { sChurn },
      });
    }
    const predictionType = this.config.prediction_type;
    const next = this.#sigmas[index + 1]!;
    const output = tf.tidy(() => {
      const scalar = (value: number): tf.Scalar => tf.scalar(value, 'float32');
      let x = sample;
      if (gamma > 0) {
        const extra = f32(Math.sqrt(f32(f32(sigmaHat * sigmaHat) - f32(sigma * sigma))));
        x = tf.add(x, tf.mul(tf.mul(noise!, scalar(f32(sNoise))), scalar(extra)));
      }
      let predOriginalSample: tf.Tensor;
      if (predictionType === 'epsilon') {
        predOriginalSample = tf.sub(x, tf.mul(scalar(sigmaHat), modelOutput));
      } else if (predictionType === 'v_prediction') {
        // why: diffusers uses σ here, not σ̂ (they differ only with churn).
        const variance = f32(f32(sigma * sigma) + 1);
        predOriginalSample = tf.add(tf.mul(modelOutput, scalar(f32(-sigma / f32(Math.sqrt(variance))))), tf.div(x, scalar(variance)));
      } else {
        predOriginalSample = modelOutput.clone();
      }
      const derivative = tf.div(tf.sub(x, predOriginalSample), scalar(sigmaHat));
      const prevSample = tf.add(x, tf.mul(derivative, scalar(f32(next - sigmaHat))));
      return { prevSample, predOriginalSample };
    });
    this.#stepIndex = index + 1;
    return output;
  }

  #continuous(): boolean {
    return this.config.timestep_type === 'continuous' && this.config.prediction_type === 'v_prediction';
  }
}
