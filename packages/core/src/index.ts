// why: the Reflect metadata polyfill must be evaluated before tsyringe anywhere core is imported.
import './di.js';

export { Trainer, type TrainerOptions } from './Trainer.js';
export { createTrainerHooks, type TrainerHooks, type TrainerHookSet, type TrainerHookName, type Tappable } from './hooks.js';
export { Stage } from './Stage.js';
export { TrainerControl } from './TrainerControl.js';
export { TrainerState, type TrainerStateData } from './TrainerState.js';
export { ModelSet, type ModelMap } from './ModelSet.js';
export type { ModelSource, ModelSources } from './ModelSources.js';
export { isStateful, normalizePlugins, type PluginOption, type StateDict, type StatefulPlugin, type TrainerPlugin } from './plugin.js';
export { pluginError } from './guardHooks.js';
export { editDistance, suggestName } from './suggest.js';
export type {
  CheckpointContext,
  EpochContext,
  LossContext,
  MicroStepContext,
  NoiseContext,
  RunSummary,
  SaveModelContext,
  StepContext,
  StepResult,
  TrainContext,
  TrainerSnapshot,
  ValidationContext,
} from './contexts.js';
export { EventBus, type ValidationImage, type LogLevel, type MetricMap, type ProgressInfo, type RunStatus, type TrainerEvent, type TrainerEventMap, type TrainerEventOf } from './events.js';
export { EventLogger } from './Logger.js';
export { rootContainer, inject, injectable, Lifecycle, type DependencyContainer, type InjectionToken } from './di.js';
export { DataLoaderFactory, DenoisingModel, EmaWeights, EventBusToken, Logger, NoiseSchedule, OptimizerFactory, ResolvedConfig, TimestepSampler } from './tokens.js';

export { defineConfig, type ConfigEnv, type ConfigExport } from './config/defineConfig.js';
export { loadConfig } from './config/loadConfig.js';
export { parseConfig } from './config/parseConfig.js';
export { configError, optionProblem, parseOptions, type ConfigProblem, type OptionDescription } from './config/parseOptions.js';
export { RunConfigSchema, type RunConfig } from './config/schema.js';
export { CORE_OPTIONS, type CoreOptionName } from './config/options.js';

export { ArrayDataset, emptyDataset, type Dataset, type HostTensor, type Sample, type SampleValue } from './data/Dataset.js';
export { collate, type Batch } from './data/Batch.js';
export { ShuffledDataLoader, shuffledDataLoaderFactory, type DataLoader, type DataLoaderOptions, type LoadedBatch } from './data/DataLoader.js';

export { Rng, type RngState } from '@sdxl-trainer/tensor';
export { RngStreams } from './random/RngStreams.js';

export { LR_SCHEDULER_NAMES, lrMultiplier, parseStepRules, type LrScheduleOptions, type LrSchedulerName, type StepRules } from './optim/lrSchedules.js';
export { LrScheduler, type LrSchedulerState } from './optim/LrScheduler.js';
export { AdamW, adamWFactory } from './optim/AdamW.js';
export { clipGradNorm, globalGradNorm } from './optim/clipGradNorm.js';
export type { NamedTensors, Optimizer, OptimizerSettings, OptimizerState } from './optim/Optimizer.js';

export { UniformTimestepSampler } from './objective/TimestepSampler.js';
export type { DenoiserInput } from './objective/DenoisingModel.js';
export type { PredictionType } from './objective/NoiseSchedule.js';
export { MODEL_INPUT_KEY, diffusionLoss, type DiffusionLossParts } from './objective/diffusionLoss.js';
export { GradientAccumulator } from './loop/GradientAccumulator.js';
