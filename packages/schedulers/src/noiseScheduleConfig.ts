import type { ConfigReader } from './ConfigReader.js';

/** How betas are laid out over the training timesteps (diffusers `beta_schedule`). */
export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2' | 'sigmoid';
/** What the model predicts (diffusers `prediction_type`). */
export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';
/** How inference timesteps are spread (Table 2 of arXiv 2305.08891; diffusers `timestep_spacing`). */
export type TimestepSpacing = 'linspace' | 'leading' | 'trailing';

/** The config fields DDPMScheduler and EulerDiscreteScheduler share (diffusers names). */
export interface NoiseScheduleConfig {
  readonly num_train_timesteps: number;
  readonly beta_start: number;
  readonly beta_end: number;
  readonly beta_schedule: BetaSchedule;
  readonly trained_betas: readonly number[] | null;
  readonly rescale_betas_zero_snr: boolean;
  readonly prediction_type: PredictionType;
  readonly timestep_spacing: TimestepSpacing;
  readonly steps_offset: number;
}

/** Names of the {@link NoiseScheduleConfig} fields. */
export const NOISE_SCHEDULE_FIELDS = [
  'num_train_timesteps',
  'beta_start',
  'beta_end',
  'beta_schedule',
  'trained_betas',
  'rescale_betas_zero_snr',
  'prediction_type',
  'timestep_spacing',
  'steps_offset',
] as const;

/** Reads the shared fields with diffusers' defaults (`timestep_spacing` defaults differ per class). */
export function readNoiseScheduleConfig(
  reader: ConfigReader,
  defaults: {
    readonly timestepSpacing: TimestepSpacing;
    readonly betaSchedules: readonly BetaSchedule[];
    /** Other names diffusers' code of this class accepts for a prediction type. */
    readonly predictionAliases?: Readonly<Record<string, PredictionType>>;
  },
): NoiseScheduleConfig {
  const numTrainTimesteps = reader.integer('num_train_timesteps', 1000, 1);
  const trainedBetas = reader.numberArray('trained_betas');
  if (trainedBetas !== null && trainedBetas.length !== numTrainTimesteps) {
    throw reader.invalid('trained_betas', `[${trainedBetas.length} values]`, `num_train_timesteps (${numTrainTimesteps}) values`);
  }
  const predictionType = reader.string('prediction_type', 'epsilon');
  const alias = defaults.predictionAliases?.[predictionType];
  return {
    num_train_timesteps: numTrainTimesteps,
    beta_start: reader.number('beta_start', 0.0001),
    beta_end: reader.number('beta_end', 0.02),
    beta_schedule: reader.oneOf('beta_schedule', 'linear', defaults.betaSchedules),
    trained_betas: trainedBetas === null ? null : Object.freeze([...trainedBetas]),
    rescale_betas_zero_snr: reader.boolean('rescale_betas_zero_snr', false),
    prediction_type: alias ?? reader.oneOf('prediction_type', 'epsilon', ['epsilon', 'v_prediction', 'sample']),
    timestep_spacing: reader.oneOf('timestep_spacing', defaults.timestepSpacing, ['linspace', 'leading', 'trailing']),
    steps_offset: reader.integer('steps_offset', 0, 0),
  };
}
