import { lrMultiplier, parseStepRules, type LrScheduleOptions } from './lrSchedules.js';

/** Saved position of an {@link LrScheduler}. */
export interface LrSchedulerState {
  readonly stepCount: number;
}

/** A learning-rate schedule with a position, stepped once per optimizer step (accelerate's AcceleratedScheduler). */
export class LrScheduler {
  #stepCount = 0;

  constructor(readonly options: LrScheduleOptions) {
    if (options.name === 'polynomial' && !(options.baseLr > options.lrEnd)) {
      // why: diffusers raises the same error from get_polynomial_decay_schedule_with_warmup.
      throw new RangeError(`lrEnd (${options.lrEnd}) must be smaller than the learning rate (${options.baseLr}) for the polynomial schedule`);
    }
    if (options.name === 'piecewise_constant') parseStepRules(options.stepRules ?? '');
  }

  /** Learning rate for the next optimizer step. */
  get lr(): number {
    return this.options.baseLr * lrMultiplier(this.options, this.#stepCount);
  }

  /** Number of scheduler steps taken. */
  get stepCount(): number {
    return this.#stepCount;
  }

  /** Advance by one optimizer step. */
  step(): void {
    this.#stepCount += 1;
  }

  stateDict(): LrSchedulerState {
    return { stepCount: this.#stepCount };
  }

  loadStateDict(state: LrSchedulerState): void {
    if (!Number.isInteger(state.stepCount) || state.stepCount < 0) throw new RangeError(`invalid LR scheduler state: stepCount ${state.stepCount}`);
    this.#stepCount = state.stepCount;
  }
}
