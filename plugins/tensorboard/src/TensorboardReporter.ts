import { encodePng } from './encodePng.js';
import { EventFileWriter } from './EventFileWriter.js';
import type { ValidationImage } from '@sdxl-trainer/core';

/** What the reporter tells its owner; it never throws at it. */
export interface ReporterEvents {
  /** Writing failed: the reporter has stopped writing for the rest of the run. */
  readonly onError: (message: string) => void;
  /** One item was skipped (e.g. an image of the wrong size); the rest still gets written. */
  readonly onWarning: (message: string) => void;
}

// why: flush early when records pile up (validation images), rather than holding many MB until the next tick.
const FLUSH_BYTES = 8 * 2 ** 20;

/**
 * Turns scalars and images into event-file records from a queue, so the caller never waits: every call enqueues a
 * job and returns. Jobs run one at a time, in order; PNG encoding happens in the queue, in sharp's threads. A write
 * error is reported once and turns the reporter off; it is never thrown.
 */
export class TensorboardReporter {
  #queue: Promise<void> = Promise.resolve();
  #writer: EventFileWriter | undefined;
  #failed = false;
  #closed = false;

  constructor(
    readonly logDir: string,
    private readonly events: ReporterEvents,
  ) {}

  /** The event file, once created. */
  get path(): string | undefined {
    return this.#writer?.path;
  }

  /** Create the event file now (it is otherwise created with the first record). */
  start(): void {
    this.#enqueue(async () => void (await this.#open()));
  }

  /** Queue one scalar per entry, tagged by its key. */
  scalars(step: number, values: Readonly<Record<string, number>>, wallTime: number): void {
    this.#enqueue(async () => {
      const writer = await this.#open();
      for (const [tag, value] of Object.entries(values)) writer.addScalar(tag, value, step, wallTime);
      await this.#flushIfLarge(writer);
    });
  }

  /** Queue images: each is encoded as PNG in the queue, then written under its tag. */
  images(step: number, images: readonly ValidationImage[], wallTime: number): void {
    this.#enqueue(async () => {
      const writer = await this.#open();
      for (const image of images) {
        try {
          writer.addImage(image.tag, await encodePng(image), step, wallTime);
        } catch (error) {
          this.events.onWarning(`TensorBoard: skipped image "${image.tag}" at step ${step}: ${message(error)}`);
        }
      }
      await this.#flushIfLarge(writer);
    });
  }

  /** Queue a flush (write and fsync). */
  flush(): void {
    this.#enqueue(async () => this.#writer?.flush());
  }

  /** Finish everything queued, flush and close the file. */
  async close(): Promise<void> {
    this.#enqueue(async () => this.#writer?.close());
    this.#closed = true;
    await this.#queue;
  }

  /** Resolves when everything queued so far is done. */
  async idle(): Promise<void> {
    await this.#queue;
  }

  #enqueue(job: () => Promise<unknown>): void {
    if (this.#closed) return;
    this.#queue = this.#queue.then(async () => {
      if (this.#failed) return;
      try {
        await job();
      } catch (error) {
        this.#failed = true;
        this.events.onError(`TensorBoard logging to ${this.logDir} failed, no more TensorBoard records will be written this run: ${message(error)}`);
      }
    });
  }

  async #open(): Promise<EventFileWriter> {
    this.#writer ??= await EventFileWriter.create(this.logDir);
    return this.#writer;
  }

  async #flushIfLarge(writer: EventFileWriter): Promise<void> {
    if (writer.pendingBytes >= FLUSH_BYTES) await writer.flush();
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
