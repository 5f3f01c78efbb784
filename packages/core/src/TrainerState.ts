import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/** The serialisable facts of a run (transformers' TrainerState): where it is and how long it is. */
export interface TrainerStateData {
  /** Optimizer steps taken. */
  readonly globalStep: number;
  /** Current epoch (0-based). */
  readonly epoch: number;
  /** Index of the next micro-batch to load within the epoch: with `epoch`, the exact data position. */
  readonly batchInEpoch: number;
  /** Total optimizer steps of the run. */
  readonly maxSteps: number;
  /** Number of epochs the run spans. */
  readonly epochs: number;
  /** Optimizer steps per epoch. */
  readonly stepsPerEpoch: number;
  /** Micro-batches per epoch. */
  readonly batchesPerEpoch: number;
  /** The seed every random stream derives from. */
  readonly seed: number;
}

const INTEGER_FIELDS = ['globalStep', 'epoch', 'batchInEpoch', 'maxSteps', 'epochs', 'stepsPerEpoch', 'batchesPerEpoch', 'seed'] as const;

/** The run's position, mutable by the trainer only, serialisable with {@link TrainerState.toJSON}. */
export class TrainerState implements TrainerStateData {
  globalStep = 0;
  epoch = 0;
  batchInEpoch = 0;
  maxSteps = 0;
  epochs = 0;
  stepsPerEpoch = 0;
  batchesPerEpoch = 0;
  seed = 0;

  toJSON(): TrainerStateData {
    return Object.fromEntries(INTEGER_FIELDS.map((key) => [key, this[key]])) as unknown as TrainerStateData;
  }

  /** Parse saved state; every field must be a non-negative integer. */
  static fromJSON(json: unknown): TrainerState {
    const state = new TrainerState();
    state.load(json);
    return state;
  }

  /** Replace this state's fields with saved ones, after checking them. */
  load(json: unknown): void {
    if (typeof json !== 'object' || json === null) {
      throw new SdxlError(ErrorCode.TRAINER_STATE_INVALID, `trainer state must be an object, got ${json === null ? 'null' : typeof json}`);
    }
    const record = json as Record<string, unknown>;
    for (const key of INTEGER_FIELDS) {
      const value = record[key];
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
        throw new SdxlError(ErrorCode.TRAINER_STATE_INVALID, `trainer state field "${key}" must be a non-negative integer, got ${JSON.stringify(value)}`, {
          details: { field: key, value },
        });
      }
    }
    for (const key of INTEGER_FIELDS) this[key] = record[key] as number;
  }
}
