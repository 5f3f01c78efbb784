import type * as tf from '@tensorflow/tfjs-core';
import type { Batch } from './data/Batch.js';
import type { RunStatus } from './events.js';
import type { NoiseSchedule, PredictionType } from './objective/NoiseSchedule.js';
import type { LrSchedulerState } from './optim/LrScheduler.js';
import type { OptimizerState } from './optim/Optimizer.js';
import type { StateDict } from './plugin.js';
import type { RngStreams } from './random/RngStreams.js';
import type { RngState } from '@sdxl-trainer/tensor';
import type { TrainerControl } from './TrainerControl.js';
import type { TrainerState, TrainerStateData } from './TrainerState.js';

/** Passed to run-level hooks (beforeTrain). */
export interface TrainContext {
  readonly state: Readonly<TrainerState>;
  readonly control: TrainerControl;
}

/** Passed to epoch hooks. */
export interface EpochContext extends TrainContext {
  readonly epoch: number;
}

/** Passed to step hooks: one optimizer step, which may span several micro-batches. */
export interface StepContext extends TrainContext {
  /** The optimizer step being taken, 1-based (state.globalStep + 1 until it completes). */
  readonly step: number;
  readonly epoch: number;
  /** Scalars plugins report for this step (e.g. `train/grad_norm`); emitted with the step's metrics. */
  readonly metrics: Record<string, number>;
}

/** Passed to the hooks inside one micro-batch's forward pass (they run under the gradient tape). */
export interface MicroStepContext extends StepContext {
  /** Index of the micro-batch within the optimizer step (0 .. gradientAccumulationSteps-1). */
  readonly microStep: number;
  readonly batch: Batch;
  /** The run's named random streams; draw from your own stream (e.g. `rng.get('my-plugin')`). */
  readonly rng: RngStreams;
}

/** Passed to sampleNoise: the clean model input the noise will be added to. */
export interface NoiseContext extends MicroStepContext {
  readonly modelInput: tf.Tensor;
}

/** Passed to computeLossWeights: everything a loss weighting (Min-SNR, ...) needs. */
export interface LossContext extends MicroStepContext {
  /** Timesteps of the micro-batch, `[batch]` int32. */
  readonly timesteps: tf.Tensor1D;
  /** The same timesteps on the host. */
  readonly timestepValues: Int32Array;
  readonly noiseSchedule: NoiseSchedule;
  readonly predictionType: PredictionType;
  /** Unweighted MSE per sample, `[batch]`. */
  readonly perSampleLoss: tf.Tensor1D;
}

/** Passed to afterStep: the finished optimizer step. */
export interface StepResult extends StepContext {
  /** Mean loss over the step's micro-batches (diffusers' train_loss). */
  readonly loss: number;
  /** Loss of the last micro-batch (diffusers' step_loss). */
  readonly lastMicroLoss: number;
  /** Learning rate the step used. */
  readonly lr: number;
}

/** Passed to validate. */
export interface ValidationContext {
  readonly step: number;
  readonly epoch: number;
  readonly state: Readonly<TrainerState>;
}

/** Everything a checkpoint must hold to resume exactly. Tensors stay owned by their holders: read, never dispose. */
export interface TrainerSnapshot {
  readonly state: TrainerStateData;
  readonly rng: Readonly<Record<string, RngState>>;
  readonly lrScheduler: LrSchedulerState;
  readonly optimizer: OptimizerState;
  /** Trained variables by parameter name. */
  readonly model: ReadonlyMap<string, tf.Tensor>;
  /** Every stateful plugin's stateDict, by state key. */
  readonly plugins: Readonly<Record<string, StateDict>>;
}

/** Passed to saveState: the step and a snapshot of the run. */
export interface CheckpointContext {
  readonly step: number;
  readonly snapshot: TrainerSnapshot;
}

/** Passed to saveModel: where the final model goes. */
export interface SaveModelContext {
  readonly outputDir: string;
  readonly state: Readonly<TrainerState>;
}

/** What a run reports at the end. */
export interface RunSummary {
  readonly status: RunStatus;
  readonly globalStep: number;
  readonly epoch: number;
  readonly seed: number;
  /** train_loss of the last optimizer step, if any step ran. */
  readonly lastLoss: number | undefined;
  readonly durationSeconds: number;
  readonly stopReason?: string | undefined;
  readonly error?: Error | undefined;
}
