import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { ConfigReader } from './ConfigReader.js';
import { f32 } from './float32.js';
import { computeNoiseSchedule, type NoiseSchedule } from './NoiseSchedule.js';
import { NOISE_SCHEDULE_FIELDS, readNoiseScheduleConfig, type NoiseScheduleConfig, type PredictionType } from './noiseScheduleConfig.js';
import { perSample } from './perSample.js';
import { readSchedulerConfig, type FromPretrainedOptions } from './readSchedulerConfig.js';

/** DDPMScheduler's config (diffusers 0.27.2 field names and defaults). */
export interface DDPMSchedulerConfig extends NoiseScheduleConfig {
  // The fields below only affect DDPM sampling (`step`), which training does not use; they are kept, not applied.
  readonly variance_type: string;
  readonly clip_sample: boolean;
  readonly clip_sample_range: number;
  readonly thresholding: boolean;
  readonly dynamic_thresholding_ratio: number;
  readonly sample_max_value: number;
}

const SAMPLING_ONLY_FIELDS = ['variance_type', 'clip_sample', 'clip_sample_range', 'thresholding', 'dynamic_thresholding_ratio', 'sample_max_value'] as const;

interface Tables {
  readonly sqrtAlphasCumprod: tf.Tensor1D;
  readonly sqrtOneMinusAlphasCumprod: tf.Tensor1D;
  readonly snr: tf.Tensor1D;
}

/**
 * The forward (noising) process of DDPM as the SDXL training script uses it: `addNoise`, `getVelocity` and the
 * per-timestep SNR, from a diffusers scheduler config (diffusers 0.27.2 `schedulers/scheduling_ddpm.py`).
 * Sampling (`set_timesteps` / `step`) is not implemented: sample with `EulerDiscreteScheduler`.
 * Owns three small cached tensors; call `dispose()` when done.
 */
export class DDPMScheduler {
  /** The resolved config (defaults filled in). */
  readonly config: Readonly<DDPMSchedulerConfig>;
  /**
   * Config keys that are not DDPMScheduler fields (e.g. an EulerDiscreteScheduler file's `use_karras_sigmas`) and were
   * ignored, as diffusers ignores them when a config of one scheduler class builds another. Log them if you like.
   */
  readonly ignoredConfigFields: readonly string[];
  readonly #schedule: NoiseSchedule;
  readonly #sqrtAlphasCumprod: Float32Array;
  readonly #sqrtOneMinusAlphasCumprod: Float32Array;
  readonly #snr: Float32Array;
  #tables: Tables | undefined;

  private constructor(config: DDPMSchedulerConfig, ignored: readonly string[]) {
    this.config = Object.freeze(config);
    this.ignoredConfigFields = Object.freeze([...ignored]);
    this.#schedule = computeNoiseSchedule(config);
    const { alphasCumprod } = this.#schedule;
    // why: float32, each op rounded once, as diffusers computes `alphas_cumprod[t] ** 0.5` and `(1 - alphas_cumprod[t]) ** 0.5`.
    this.#sqrtAlphasCumprod = alphasCumprod.map((ac) => Math.sqrt(ac));
    this.#sqrtOneMinusAlphasCumprod = alphasCumprod.map((ac) => Math.sqrt(f32(1 - ac)));
    // diffusers training_utils.compute_snr: (sqrt(ac) / sqrt(1 - ac)) ** 2, in float32 in exactly that form.
    this.#snr = this.#sqrtAlphasCumprod.map((alpha, t) => {
      const ratio = f32(alpha / this.#sqrtOneMinusAlphasCumprod[t]!);
      return ratio * ratio;
    });
  }

  /** Builds the scheduler from a parsed `scheduler_config.json` object (any diffusers scheduler class's config). */
  static fromConfig(config: Readonly<Record<string, unknown>>): DDPMScheduler {
    const reader = new ConfigReader('DDPMScheduler', config);
    const resolved: DDPMSchedulerConfig = {
      ...readNoiseScheduleConfig(reader, { timestepSpacing: 'leading', betaSchedules: ['linear', 'scaled_linear', 'squaredcos_cap_v2', 'sigmoid'] }),
      variance_type: reader.oneOf('variance_type', 'fixed_small', [
        'fixed_small',
        'fixed_small_log',
        'fixed_large',
        'fixed_large_log',
        'learned',
        'learned_range',
      ]),
      clip_sample: reader.boolean('clip_sample', true),
      clip_sample_range: reader.number('clip_sample_range', 1),
      thresholding: reader.boolean('thresholding', false),
      dynamic_thresholding_ratio: reader.number('dynamic_thresholding_ratio', 0.995),
      sample_max_value: reader.number('sample_max_value', 1),
    };
    return new DDPMScheduler(resolved, reader.unknownKeys([...NOISE_SCHEDULE_FIELDS, ...SAMPLING_ONLY_FIELDS]));
  }

  /** Reads `<folder>/<subfolder>/scheduler_config.json` (e.g. `fromPretrained(modelDir, { subfolder: 'scheduler' })`). */
  static async fromPretrained(folder: string, options: FromPretrainedOptions = {}): Promise<DDPMScheduler> {
    return DDPMScheduler.fromConfig(await readSchedulerConfig(folder, options));
  }

  /** Number of training timesteps T; valid timesteps are 0 .. T-1. */
  get numTrainTimesteps(): number {
    return this.config.num_train_timesteps;
  }

  /** What the model is trained to predict. */
  get predictionType(): PredictionType {
    return this.config.prediction_type;
  }

  /** A copy of the float32 betas. */
  get betas(): Float32Array {
    return this.#schedule.betas.slice();
  }

  /** A copy of alphas = 1 - betas. */
  get alphas(): Float32Array {
    return this.#schedule.alphas.slice();
  }

  /** A copy of alphas_cumprod (ᾱ_t). */
  get alphasCumprod(): Float32Array {
    return this.#schedule.alphasCumprod.slice();
  }

  /** x_t = sqrt(ᾱ_t)·x0 + sqrt(1 - ᾱ_t)·noise, per sample (`timesteps`: int32, one per batch element). */
  addNoise(x0: tf.Tensor, noise: tf.Tensor, timesteps: tf.Tensor): tf.Tensor {
    const tables = this.#ensureTables(timesteps);
    return tf.tidy(() => {
      const signal = perSample(tables.sqrtAlphasCumprod, timesteps, x0.rank);
      const sigma = perSample(tables.sqrtOneMinusAlphasCumprod, timesteps, x0.rank);
      return tf.add(tf.mul(signal, x0), tf.mul(sigma, noise));
    });
  }

  /** The v-prediction target v = sqrt(ᾱ_t)·noise - sqrt(1 - ᾱ_t)·x0 (Salimans & Ho, arXiv 2202.00512). */
  getVelocity(x0: tf.Tensor, noise: tf.Tensor, timesteps: tf.Tensor): tf.Tensor {
    const tables = this.#ensureTables(timesteps);
    return tf.tidy(() => {
      const signal = perSample(tables.sqrtAlphasCumprod, timesteps, x0.rank);
      const sigma = perSample(tables.sqrtOneMinusAlphasCumprod, timesteps, x0.rank);
      return tf.sub(tf.mul(signal, noise), tf.mul(sigma, x0));
    });
  }

  /** SNR(t) = ᾱ_t / (1 - ᾱ_t), shaped like `timesteps` (diffusers training_utils.compute_snr; Min-SNR, arXiv 2303.09556). */
  snr(timesteps: tf.Tensor): tf.Tensor {
    const tables = this.#ensureTables(timesteps);
    return tf.gather(tables.snr, timesteps);
  }

  /** A copy of the SNR of every training timestep, float32 as compute_snr gives it. */
  snrTable(): Float32Array {
    return this.#snr.slice();
  }

  /** Frees the cached tensors. The scheduler stays usable: they are rebuilt on the next call. */
  dispose(): void {
    if (this.#tables === undefined) return;
    tf.dispose([this.#tables.sqrtAlphasCumprod, this.#tables.sqrtOneMinusAlphasCumprod, this.#tables.snr]);
    this.#tables = undefined;
  }

  #ensureTables(timesteps: tf.Tensor): Tables {
    if (timesteps.dtype !== 'int32') {
      throw new SdxlError(ErrorCode.SCHEDULER_INVALID_ARGUMENT, `DDPMScheduler: timesteps must be an int32 tensor, got ${timesteps.dtype}`, {
        details: { dtype: timesteps.dtype },
      });
    }
    // why: tf.keep, so tables first built inside a caller's tf.tidy survive it; dispose() frees them.
    this.#tables ??= {
      sqrtAlphasCumprod: tf.keep(tf.tensor1d(this.#sqrtAlphasCumprod, 'float32')),
      sqrtOneMinusAlphasCumprod: tf.keep(tf.tensor1d(this.#sqrtOneMinusAlphasCumprod, 'float32')),
      snr: tf.keep(tf.tensor1d(this.#snr, 'float32')),
    };
    return this.#tables;
  }
}
