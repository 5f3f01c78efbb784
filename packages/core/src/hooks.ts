import type * as tf from '@tensorflow/tfjs-core';
import { AsyncSeriesHook, AsyncSeriesWaterfallHook, SyncHook, SyncWaterfallHook } from 'tapable';
import type { ResolvedConfig } from './config/schema.js';
import type {
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
import type { Dataset } from './data/Dataset.js';
import type { ModelSet } from './ModelSet.js';
import type { ModelSources } from './ModelSources.js';
import type { TimestepSampler } from './objective/TimestepSampler.js';
import type { NamedTensors, OptimizerFactory } from './optim/Optimizer.js';
import type { SdxlError } from '@sdxl-trainer/errors';

/**
 * Every lifecycle hook of a run, in the order a run meets them. Hook classes follow one rule:
 * notification → SyncHook; I/O at a lifecycle point → AsyncSeriesHook; a value plugins transform → Waterfall.
 * Hooks inside a training step are synchronous: they run under the gradient tape and inside tf.tidy.
 */
export function createTrainerHooks() {
  return Object.freeze({
    /** Register providers in the run container (`trainer.container`). Called once, right after plugins are applied. */
    environment: new SyncHook<[ResolvedConfig]>(['config']),
    /** Read the final config; every provider is registered now, so check what your plugin requires here. */
    configResolved: new SyncHook<[ResolvedConfig]>(['config']),
    /** Decide where each model component comes from (a model plugin provides, VAE swap redirects). Returns the sources. */
    resolveModelFiles: new AsyncSeriesWaterfallHook<[ModelSources]>(['sources']),
    /** Load models into the run's model set (text encoders, VAE, UNet, ...), from `trainer.modelSources`. */
    loadModels: new AsyncSeriesHook<[ModelSet]>(['models']),
    /** Provide and transform the training data: sources, transforms. Returns the dataset. */
    prepareDataset: new AsyncSeriesWaterfallHook<[Dataset]>(['dataset']),
    /** Precompute per-sample model inputs (text embeddings, latents) and free frozen models. Returns the dataset. */
    precompute: new AsyncSeriesWaterfallHook<[Dataset]>(['dataset']),
    /** Choose the optimizer factory (the default is AdamW). */
    createOptimizer: new SyncWaterfallHook<[OptimizerFactory, TrainContext]>(['factory', 'context']),
    /** The run is about to train: reporters start, a checkpoint may be restored (`trainer.restore`). */
    beforeTrain: new AsyncSeriesHook<[TrainContext]>(['context']),
    /** An epoch begins. */
    beforeEpoch: new AsyncSeriesHook<[EpochContext]>(['context']),
    /** An optimizer step begins (before its first micro-batch is loaded). */
    beforeStep: new AsyncSeriesHook<[StepContext]>(['context']),
    /** Choose the timestep sampler of a micro-batch (the default is uniform over [0, T)). */
    sampleTimesteps: new SyncWaterfallHook<[TimestepSampler, MicroStepContext]>(['sampler', 'context']),
    /** Transform the noise added to a micro-batch (noise offset, input perturbation). */
    sampleNoise: new SyncWaterfallHook<[tf.Tensor, NoiseContext]>(['noise', 'context']),
    /** Transform the per-sample loss weights `[batch]` (Min-SNR). The default weights are all 1. */
    computeLossWeights: new SyncWaterfallHook<[tf.Tensor1D, LossContext]>(['weights', 'context']),
    /** The gradients of the optimizer step are complete (accumulated over its micro-batches). */
    afterBackward: new SyncHook<[NamedTensors, StepContext]>(['gradients', 'context']),
    /** Transform the gradients just before the optimizer uses them (clipping by global norm). */
    beforeOptimizerStep: new SyncWaterfallHook<[NamedTensors, StepContext]>(['gradients', 'context']),
    /** An optimizer step finished: EMA, checkpoint and validation cadence (set `control` flags). */
    afterStep: new AsyncSeriesHook<[StepResult]>(['result']),
    /** Write a checkpoint of the snapshot (runs when `control.shouldSave` is set). */
    saveState: new AsyncSeriesHook<[CheckpointContext]>(['context']),
    /** A checkpoint was restored into the trainer; plugins with state outside stateDict catch up here. */
    loadState: new AsyncSeriesHook<[TrainerSnapshot]>(['snapshot']),
    /** Run validation (runs when `control.shouldValidate` is set). */
    validate: new AsyncSeriesHook<[ValidationContext]>(['context']),
    /** An epoch ended. */
    afterEpoch: new AsyncSeriesHook<[EpochContext]>(['context']),
    /** Write the final model (the diffusers folder). */
    saveModel: new AsyncSeriesHook<[SaveModelContext]>(['context']),
    /** Training ended normally or by a stop request: final inference, Hub push, reporters finish. */
    afterTrain: new AsyncSeriesHook<[RunSummary]>(['summary']),
    /** The run failed: flush reporters, write an emergency checkpoint. */
    failed: new AsyncSeriesHook<[SdxlError]>(['error']),
    /** Last hook of every run, whatever happened: release resources. */
    shutdown: new AsyncSeriesHook<[RunSummary]>(['summary']),
  });
}

/** The hooks as the trainer holds them (it alone calls them). */
export type TrainerHookSet = ReturnType<typeof createTrainerHooks>;

/** A hook as plugins see it: tap, tapPromise, intercept, isUsed — never call (tapable: calling belongs to the owner). */
export type Tappable<H> = Omit<H, 'call' | 'callAsync' | 'promise'>;

/** The trainer's hooks as plugins see them. */
export type TrainerHooks = { readonly [K in keyof TrainerHookSet]: Tappable<TrainerHookSet[K]> };

/** Name of one trainer hook. */
export type TrainerHookName = keyof TrainerHookSet;
