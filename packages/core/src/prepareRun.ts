import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { TrainContext } from './contexts.js';
import { DataLoaderFactory, type DataLoader } from './data/DataLoader.js';
import { EventBusToken } from './events.js';
import type { Dataset } from './data/Dataset.js';
import type { InjectionToken } from './di.js';
import type { TrainerHookSet } from './hooks.js';
import type { LoopParts } from './loop/TrainingLoop.js';
import { DenoisingModel } from './objective/DenoisingModel.js';
import { NoiseSchedule } from './objective/NoiseSchedule.js';
import { TimestepSampler } from './objective/TimestepSampler.js';
import { LrScheduler } from './optim/LrScheduler.js';
import { OptimizerFactory } from './optim/Optimizer.js';
import type { Trainer } from './Trainer.js';
import type { TrainerState } from './TrainerState.js';

/** The parts of a run that exist once models and data are ready. */
export interface PreparedRun {
  readonly loopParts: Omit<LoopParts, 'rng' | 'loader' | 'snapshot'>;
  /** The data loader for a seed (recreated if a restored checkpoint brings another seed). */
  readonly loader: (seed: number) => DataLoader;
}

/**
 * Resolve the model, noise schedule, data loader and optimizer, and size the run as the SDXL script does:
 * steps per epoch = ceil(batches / accumulation); max steps = epochs × that unless given; epochs =
 * ceil(max steps / steps per epoch); learning rate × (accumulation × batch size) with scaleLr.
 */
export function prepareRun(args: { trainer: Trainer; hooks: TrainerHookSet; dataset: Dataset; state: TrainerState }): PreparedRun {
  const { trainer, hooks, dataset, state } = args;
  const config = trainer.config;
  if (dataset.size === 0) {
    throw new SdxlError(ErrorCode.TRAINER_NO_DATA, 'there is no training data: add a plugin that provides a dataset in the prepareDataset hook (e.g. the data source of your preset)');
  }
  const model = resolveRequired(trainer, DenoisingModel, 'DenoisingModel', 'the model to train (e.g. the SDXL UNet plugin)');
  const noiseSchedule = resolveRequired(trainer, NoiseSchedule, 'NoiseSchedule', 'the training noise schedule (e.g. a DDPMScheduler)');
  const defaultSampler = resolveRequired(trainer, TimestepSampler, 'TimestepSampler', 'the default timestep sampler');
  const makeLoader = trainer.container.resolve(DataLoaderFactory);
  const loaderFor = (seed: number): DataLoader => makeLoader(dataset, { batchSize: config.trainBatchSize, seed });
  const sizing = loaderFor(state.seed);

  const accumulation = config.gradientAccumulationSteps;
  state.batchesPerEpoch = sizing.batchesPerEpoch;
  state.stepsPerEpoch = Math.ceil(sizing.batchesPerEpoch / accumulation);
  state.maxSteps = config.maxTrainSteps ?? config.numTrainEpochs * state.stepsPerEpoch;
  state.epochs = Math.ceil(state.maxSteps / state.stepsPerEpoch);

  // why: --scale_lr multiplies by accumulation × batch size × number of processes (always 1 here).
  const baseLr = config.scaleLr ? config.learningRate * accumulation * config.trainBatchSize : config.learningRate;
  // why: the SDXL script passes lr_warmup_steps × accumulation and max_train_steps × accumulation to get_scheduler,
  // while accelerate steps the schedule once per optimizer step; we keep those numbers so schedules match diffusers.
  const lrScheduler = new LrScheduler({
    name: config.lrScheduler,
    baseLr,
    warmupSteps: config.lrWarmupSteps * accumulation,
    trainingSteps: state.maxSteps * accumulation,
    numCycles: config.lrNumCycles,
    power: config.lrPower,
    lrEnd: config.lrEnd,
    stepRules: config.lrStepRules,
  });
  const context: TrainContext = { state, control: trainer.control };
  const factory = hooks.createOptimizer.call(trainer.container.resolve(OptimizerFactory), context);
  const optimizer = factory.create(model.trainableVariables, {
    beta1: config.adamBeta1,
    beta2: config.adamBeta2,
    weightDecay: config.adamWeightDecay,
    epsilon: config.adamEpsilon,
  });
  trainer.logger.info(`optimizer ${optimizer.name}, learning rate ${baseLr} (${config.lrScheduler} schedule), ${model.trainableVariables.size} trainable tensors`);
  return {
    loader: loaderFor,
    loopParts: {
      hooks,
      bus: trainer.container.resolve(EventBusToken),
      state,
      control: trainer.control,
      optimizer,
      lrScheduler,
      gradientAccumulationSteps: accumulation,
      loss: {
        model,
        noiseSchedule,
        predictionType: config.predictionType ?? noiseSchedule.predictionType,
        defaultSampler,
        sampleTimesteps: (sampler, c) => hooks.sampleTimesteps.call(sampler, c),
        sampleNoise: (noise, c) => hooks.sampleNoise.call(noise, c),
        computeLossWeights: (weights, c) => hooks.computeLossWeights.call(weights, c),
      },
    },
  };
}

function resolveRequired<T>(trainer: Trainer, token: InjectionToken<T>, name: string, what: string): T {
  if (!trainer.container.isRegistered(token, true)) {
    throw new SdxlError(ErrorCode.TRAINER_NO_MODEL, `nothing provides ${name} (${what}): a plugin must register it in the environment hook`);
  }
  try {
    return trainer.container.resolve(token);
  } catch (error) {
    throw new SdxlError(ErrorCode.DI_RESOLUTION_FAILED, `could not create ${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
