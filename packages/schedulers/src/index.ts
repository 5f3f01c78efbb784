export { DDPMScheduler, type DDPMSchedulerConfig } from './DDPMScheduler.js';
export { EulerDiscreteScheduler, type EulerStepOptions, type EulerStepOutput } from './EulerDiscreteScheduler.js';
export type { EulerDiscreteSchedulerConfig } from './eulerConfig.js';
export type { BetaSchedule, NoiseScheduleConfig, PredictionType, TimestepSpacing } from './noiseScheduleConfig.js';
export type { FromPretrainedOptions } from './readSchedulerConfig.js';
