import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { encodeEvent, type EncodedImage, type SummaryValue } from './encodeEvent.js';
import { frameRecord } from './frameRecord.js';

/** The `file_version` of the first event of every file, which TensorBoard checks. */
export const EVENT_FILE_VERSION = 'brain.Event:2';

let nextFileId = 0;

/**
 * Writes a TensorBoard event file (`events.out.tfevents.<unix>.<host>.<pid>.<n>`): TFRecord-framed `Event` protobufs,
 * the first one carrying the file version. Records are buffered in memory; {@link flush} appends them and fsyncs.
 */
export class EventFileWriter {
  readonly #handle: FileHandle;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #closed = false;

  private constructor(
    /** Path of the event file. */
    readonly path: string,
    handle: FileHandle,
  ) {
    this.#handle = handle;
  }

  /** Create the folder if needed and a new event file in it, starting with the file-version event. */
  static async create(logDir: string): Promise<EventFileWriter> {
    await mkdir(logDir, { recursive: true });
    const now = Date.now() / 1000;
    const path = join(logDir, `events.out.tfevents.${Math.floor(now)}.${hostname()}.${process.pid}.${nextFileId++}`);
    const writer = new EventFileWriter(path, await open(path, 'wx'));
    writer.#add(encodeEvent({ wallTime: now, fileVersion: EVENT_FILE_VERSION }));
    await writer.flush();
    return writer;
  }

  /** Bytes waiting for the next {@link flush}. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Add a scalar summary (`simple_value`, stored as float32). */
  addScalar(tag: string, value: number, step: number, wallTime = Date.now() / 1000): void {
    this.addSummary([{ tag, scalar: value }], step, wallTime);
  }

  /** Add an image summary of an encoded PNG. */
  addImage(tag: string, image: EncodedImage, step: number, wallTime = Date.now() / 1000): void {
    this.addSummary([{ tag, image }], step, wallTime);
  }

  /** Add one event with several summary values at a step. */
  addSummary(values: readonly SummaryValue[], step: number, wallTime = Date.now() / 1000): void {
    this.#add(encodeEvent({ wallTime, step, values }));
  }

  /** Append the buffered records to the file and fsync it. */
  async flush(): Promise<void> {
    if (this.#closed) throw new Error(`event file ${this.path} is closed`);
    if (this.#pending.length === 0) return;
    const chunk = Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    let written = 0;
    while (written < chunk.length) written += (await this.#handle.write(chunk, written, chunk.length - written)).bytesWritten;
    await this.#handle.sync();
  }

  /** Flush and close the file. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      await this.#handle.close();
    }
  }

  #add(event: Uint8Array): void {
    const record = frameRecord(event);
    this.#pending.push(record);
    this.#pendingBytes += record.length;
  }
}
