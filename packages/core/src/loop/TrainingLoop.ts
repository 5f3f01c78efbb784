import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { EpochContext, StepContext, StepResult, TrainerSnapshot } from '../contexts.js';
import { collate } from '../data/Batch.js';
import type { DataLoader, LoadedBatch } from '../data/DataLoader.js';
import type { EventBus } from '../events.js';
import type { TrainerHookSet } from '../hooks.js';
import { diffusionLoss, type DiffusionLossParts } from '../objective/diffusionLoss.js';
import type { LrScheduler } from '../optim/LrScheduler.js';
import type { Optimizer } from '../optim/Optimizer.js';
import type { RngStreams } from '../random/RngStreams.js';
import type { TrainerControl } from '../TrainerControl.js';
import type { TrainerState } from '../TrainerState.js';
import { GradientAccumulator } from './GradientAccumulator.js';

/** Everything the loop drives, assembled by the trainer once models and data are ready. */
export interface LoopParts {
  readonly hooks: TrainerHookSet;
  readonly bus: EventBus;
  readonly state: TrainerState;
  readonly control: TrainerControl;
  readonly rng: () => RngStreams;
  readonly loader: () => DataLoader;
  readonly loss: DiffusionLossParts;
  readonly optimizer: Optimizer;
  readonly lrScheduler: LrScheduler;
  readonly gradientAccumulationSteps: number;
  readonly snapshot: () => TrainerSnapshot;
}

/** What the loop reports when it ends. */
export interface LoopOutcome {
  readonly lastLoss: number | undefined;
}

/**
 * The epoch / step / micro-batch loop of train_text_to_image_sdxl.py, with the trainer's hooks at each
 * point. It resumes from `state` (epoch and batch position), so a restored run continues with the batch an
 * uninterrupted run would have seen next.
 */
export class TrainingLoop {
  readonly #variables: ReadonlyMap<string, tf.Variable>;
  readonly #paramNameOf: ReadonlyMap<string, string>;
  #lastLoss: number | undefined;

  constructor(private readonly parts: LoopParts) {
    this.#variables = parts.loss.model.trainableVariables;
    if (this.#variables.size === 0) throw new SdxlError(ErrorCode.TRAINER_NO_MODEL, 'the model has no trainable variables');
    this.#paramNameOf = new Map([...this.#variables].map(([param, variable]) => [variable.name, param]));
  }

  async run(): Promise<LoopOutcome> {
    const { state, control, hooks, bus } = this.parts;
    while (state.epoch < state.epochs && state.globalStep < state.maxSteps && !control.shouldStop) {
      const epoch = state.epoch;
      const epochContext: EpochContext = { epoch, state, control };
      if (state.batchInEpoch === 0) {
        await hooks.beforeEpoch.promise(epochContext);
        bus.emit('epoch:start', { epoch });
      }
      const batches = this.parts.loader().epoch(epoch, state.batchInEpoch)[Symbol.asyncIterator]();
      let epochDone = false;
      while (!epochDone && state.globalStep < state.maxSteps && !control.shouldStop) {
        epochDone = await this.#step(batches, epoch);
      }
      await batches.return?.();
      if (!epochDone && state.batchInEpoch < state.batchesPerEpoch) break; // stopped or reached maxSteps mid-epoch
      state.epoch = epoch + 1;
      state.batchInEpoch = 0;
      await hooks.afterEpoch.promise(epochContext);
      bus.emit('epoch:end', { epoch, step: state.globalStep });
      await this.#validateIfAsked(epoch);
    }
    return { lastLoss: this.#lastLoss };
  }

  /** One optimizer step over up to `gradientAccumulationSteps` micro-batches; true when the epoch ran out of batches. */
  async #step(batches: AsyncIterator<LoadedBatch>, epoch: number): Promise<boolean> {
    const { state, control, hooks, bus } = this.parts;
    control.resetStep();
    const context: StepContext = { step: state.globalStep + 1, epoch, state, control, metrics: {} };
    await hooks.beforeStep.promise(context);
    const accumulator = new GradientAccumulator(this.parts.gradientAccumulationSteps);
    const losses: number[] = [];
    let exhausted = false;
    try {
      for (let microStep = 0; microStep < this.parts.gradientAccumulationSteps; microStep++) {
        const next = await batches.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        state.batchInEpoch = next.value.index + 1;
        losses.push(this.#microStep(next.value, microStep, context, accumulator));
      }
      if (losses.length === 0) return true;
      const lr = this.parts.lrScheduler.lr;
      tf.tidy(() => {
        hooks.afterBackward.call(accumulator.gradients, context);
        const gradients = hooks.beforeOptimizerStep.call(accumulator.gradients, context);
        this.parts.optimizer.step(gradients, lr);
      });
      this.parts.lrScheduler.step();
      state.globalStep += 1;
      const loss = losses.reduce((a, b) => a + b, 0) / losses.length;
      this.#lastLoss = loss;
      const result: StepResult = { ...context, loss, lastMicroLoss: losses[losses.length - 1]!, lr };
      await hooks.afterStep.promise(result);
      bus.emit('step:end', { step: result.step, epoch, loss, lastMicroLoss: result.lastMicroLoss, lr });
      if (control.shouldLog) {
        bus.emit('metrics', { step: result.step, values: { 'train/loss': loss, 'train/step_loss': result.lastMicroLoss, 'train/lr': lr, ...context.metrics } });
      }
      if (control.shouldSave && hooks.saveState.isUsed()) await hooks.saveState.promise({ step: result.step, snapshot: this.parts.snapshot() });
      await this.#validateIfAsked(epoch);
      return exhausted || state.batchInEpoch >= state.batchesPerEpoch;
    } finally {
      accumulator.reset();
    }
  }

  #microStep(loaded: LoadedBatch, microStep: number, step: StepContext, accumulator: GradientAccumulator): number {
    return tf.tidy(() => {
      const batch = collate(loaded.samples, loaded.indices);
      const context = { ...step, microStep, batch, rng: this.parts.rng() };
      const { value, grads } = tf.variableGrads(() => diffusionLoss(this.parts.loss, context), [...this.#variables.values()]);
      const loss = value.dataSync()[0]!;
      if (!Number.isFinite(loss)) {
        throw new SdxlError(ErrorCode.LOSS_NOT_FINITE, `the loss is ${loss} at step ${step.step} (micro-batch ${microStep}, samples ${loaded.indices.join(', ')}); lower the learning rate, check the data, or check Min-SNR with a zero-terminal-SNR schedule`, {
          details: { step: step.step, microStep, indices: loaded.indices },
        });
      }
      accumulator.add(new Map(Object.entries(grads).map(([variableName, g]) => [this.#paramNameOf.get(variableName)!, g])));
      return loss;
    });
  }

  async #validateIfAsked(epoch: number): Promise<void> {
    const { control, hooks, state } = this.parts;
    if (!control.shouldValidate) return;
    control.shouldValidate = false;
    if (hooks.validate.isUsed()) await hooks.validate.promise({ step: state.globalStep, epoch, state });
  }
}
