import { Observable, Subject } from 'rxjs';
import type { InjectionToken } from './di.js';

/**
 * The events a run emits, by type. Plugins add their own by declaration merging:
 * `declare module '@sdxl-trainer/core' { interface TrainerEventMap { 'my-plugin:thing': { n: number } } }`.
 * Prefix plugin event names with the plugin's name.
 */
export interface TrainerEventMap {
  /** The run has started: resolved backend and the numbers that size the run. */
  'run:start': { readonly backend: string; readonly maxSteps: number; readonly epochs: number; readonly stepsPerEpoch: number; readonly seed: number };
  /** An epoch begins. */
  'epoch:start': { readonly epoch: number };
  /** An epoch ended. */
  'epoch:end': { readonly epoch: number; readonly step: number };
  /** An optimizer step finished. `loss` is the mean over the step's micro-batches (diffusers' train_loss). */
  'step:end': { readonly step: number; readonly epoch: number; readonly loss: number; readonly lastMicroLoss: number; readonly lr: number };
  /** Named scalar metrics at a step (loss, lr, grad norm, ...). */
  'metrics': { readonly step: number; readonly values: Readonly<Partial<MetricMap> & Record<string, number>> };
  /** Where the run stands, for progress bars: emitted after every optimizer step. */
  'progress': ProgressInfo;
  /** A line for a person, from the container's Logger. */
  'log': { readonly level: LogLevel; readonly message: string; readonly fields?: Readonly<Record<string, unknown>> | undefined };
  /** A stop was requested (Ctrl-C, a plugin); the run ends after the current step. */
  'run:stopping': { readonly step: number; readonly reason: string };
  /** Images made at a validation (HWC RGB bytes), for reporters such as TensorBoard and W&B to log. */
  'validation:images': { readonly step: number; readonly images: readonly ValidationImage[] };
  /** The run ended, successfully, stopped early, or failed. */
  'run:end': { readonly status: RunStatus; readonly step: number; readonly error?: Error | undefined };
}

/** One validation image: HWC bytes (1, 3 or 4 channels, read off the data length) under a tag such as `validation/0`. */
export interface ValidationImage {
  readonly tag: string;
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** The prompt that made it, when there is one. */
  readonly caption?: string | undefined;
}

/** Known metric names and their meaning; plugins add theirs by declaration merging. */
export interface MetricMap {
  /** Mean loss over the micro-batches of the optimizer step (diffusers' `train_loss`). */
  'train/loss': number;
  /** Loss of the step's last micro-batch (diffusers' `step_loss`). */
  'train/step_loss': number;
  /** Learning rate used by the optimizer step. */
  'train/lr': number;
  /** Global L2 norm of the gradients before clipping. */
  'train/grad_norm': number;
}

/** Severity of a log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** How a run ended. */
export type RunStatus = 'completed' | 'stopped' | 'failed';

/** Progress of a run after an optimizer step. */
export interface ProgressInfo {
  readonly step: number;
  readonly maxSteps: number;
  readonly epoch: number;
  readonly loss: number;
  readonly lr: number;
  /** Optimizer steps per second, smoothed. */
  readonly stepsPerSecond: number;
  /** Estimated seconds to the end of the run. */
  readonly etaSeconds: number;
  readonly elapsedSeconds: number;
}

/** One event of the stream: its `type`, a timestamp, and the payload declared in {@link TrainerEventMap}. */
export type TrainerEvent = {
  [K in keyof TrainerEventMap]: { readonly type: K; readonly time: number } & TrainerEventMap[K];
}[keyof TrainerEventMap];

/** The event of one type. */
export type TrainerEventOf<K extends keyof TrainerEventMap> = Extract<TrainerEvent, { type: K }>;

/** The run's event stream; reporters subscribe, the trainer and plugins emit. */
export class EventBus {
  readonly #subject = new Subject<TrainerEvent>();
  /** Every event of the run, in order. Completes when the run ends. */
  readonly events$: Observable<TrainerEvent> = this.#subject.asObservable();

  /** Emit an event; subscribers run synchronously, so they must not block (buffer with rxjs instead). */
  emit<K extends keyof TrainerEventMap>(type: K, payload: TrainerEventMap[K]): void {
    this.#subject.next({ type, time: Date.now(), ...payload } as TrainerEvent);
  }

  /** End the stream. */
  complete(): void {
    this.#subject.complete();
  }
}

/** DI token of the run's {@link EventBus}. */
export const EventBusToken: InjectionToken<EventBus> = Symbol.for('@sdxl-trainer/core:EventBus');
