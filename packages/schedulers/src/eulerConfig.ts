import { ConfigReader } from './ConfigReader.js';
import { NOISE_SCHEDULE_FIELDS, readNoiseScheduleConfig, type NoiseScheduleConfig } from './noiseScheduleConfig.js';

/** EulerDiscreteScheduler's config (diffusers field names; defaults of diffusers 0.27.2). */
export interface EulerDiscreteSchedulerConfig extends NoiseScheduleConfig {
  readonly interpolation_type: 'linear';
  readonly use_karras_sigmas: boolean;
  /** Lower end of the Karras sigmas (default: the schedule's smallest); used only with use_karras_sigmas. */
  readonly sigma_min: number | null;
  /** Upper end of the Karras sigmas (default: the schedule's largest); used only with use_karras_sigmas. */
  readonly sigma_max: number | null;
  /** "continuous" with v_prediction feeds the model 0.25·ln(σ) instead of t (EDM-style models). */
  readonly timestep_type: 'discrete' | 'continuous';
}

// why: fields newer diffusers releases added to EulerDiscreteScheduler. Their defaults change nothing, so they are
// accepted at the default and refused otherwise, never ignored.
const NEWER_FIELDS_AT_DEFAULT: Readonly<Record<string, unknown>> = {
  use_exponential_sigmas: false,
  use_beta_sigmas: false,
  final_sigmas_type: 'zero',
};

/** Resolves a raw `scheduler_config.json` object into an EulerDiscreteScheduler config plus the ignored keys. */
export function readEulerConfig(raw: unknown): { config: EulerDiscreteSchedulerConfig; ignored: string[] } {
  const reader = new ConfigReader('EulerDiscreteScheduler', raw);
  const config: EulerDiscreteSchedulerConfig = {
    ...readNoiseScheduleConfig(reader, {
      timestepSpacing: 'linspace',
      betaSchedules: ['linear', 'scaled_linear', 'squaredcos_cap_v2'],
      predictionAliases: { original_sample: 'sample' },
    }),
    interpolation_type: reader.oneOf('interpolation_type', 'linear', ['linear'], ['log_linear']),
    use_karras_sigmas: reader.boolean('use_karras_sigmas', false),
    sigma_min: reader.nullableNumber('sigma_min'),
    sigma_max: reader.nullableNumber('sigma_max'),
    timestep_type: reader.oneOf('timestep_type', 'discrete', ['discrete', 'continuous']),
  };
  const source = raw as Record<string, unknown>;
  for (const [field, fallback] of Object.entries(NEWER_FIELDS_AT_DEFAULT)) {
    const value = source[field];
    if (value !== undefined && value !== null && value !== fallback) throw reader.unsupported(field, value, `only ${JSON.stringify(fallback)} is`);
  }
  const known = [
    ...NOISE_SCHEDULE_FIELDS,
    'interpolation_type',
    'use_karras_sigmas',
    'sigma_min',
    'sigma_max',
    'timestep_type',
    ...Object.keys(NEWER_FIELDS_AT_DEFAULT),
  ];
  return { config, ignored: reader.unknownKeys(known) };
}
