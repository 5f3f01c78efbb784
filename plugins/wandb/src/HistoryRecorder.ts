import type { ValidationImage } from '@sdxl-trainer/core';
import { encodeImage } from './encodeImage.js';
import { stringifyExtendedJson } from './extendedJson.js';
import { imageFileJson, imageListJson, imagePath, mediaKey, type SavedImage } from './imageMedia.js';
import type { RunFolder } from './RunFolder.js';

interface OpenRow {
  readonly step: number;
  readonly values: Record<string, unknown>;
  timeMs: number;
}

/**
 * Turns a run's metrics and images into W&B history rows in a {@link RunFolder}. Everything logged at one step is
 * merged into one row, written (with `_step`, `_runtime` and `_timestamp` in seconds, as wandb adds them) when a later
 * step arrives or the run ends — wandb's rule for `log(..., step=n)`. The summary holds the latest value of every
 * key. Steps must grow: data for a step already written is dropped with one warning, as wandb drops it.
 * Calls must not overlap (the reporter runs them one at a time, in event order).
 */
export class HistoryRecorder {
  #open: OpenRow | undefined;
  #lastStep = -Infinity;
  #summary: Record<string, unknown> = {};
  #warnedStep = false;

  constructor(
    private readonly folder: RunFolder,
    private readonly startTimeMs: number,
    private readonly warn: (message: string) => void,
  ) {}

  /** Scalars at a step. */
  async metrics(step: number, values: Readonly<Record<string, number>>, timeMs: number): Promise<void> {
    const row = await this.#rowAt(step, timeMs);
    if (row) Object.assign(row.values, values);
  }

  /** Images at a step: each is encoded, saved under media/images, and referenced from the row. */
  async images(step: number, images: readonly ValidationImage[], timeMs: number): Promise<void> {
    const row = await this.#rowAt(step, timeMs);
    if (!row) return;
    const lists = new Map<string, Array<{ index: number; image: SavedImage }>>();
    for (const image of images) {
      const { key, index } = mediaKey(image.tag);
      let saved: SavedImage;
      try {
        const encoded = await encodeImage(image);
        saved = { ...encoded, path: imagePath(key, step, encoded.sha256), caption: image.caption };
      } catch (error) {
        this.warn(`W&B: skipped image "${image.tag}" at step ${step}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      await this.folder.writeMedia(saved.path, saved.png);
      if (index === undefined) row.values[key] = imageFileJson(saved);
      else lists.set(key, [...(lists.get(key) ?? []), { index, image: saved }]);
    }
    for (const [key, list] of lists) row.values[key] = imageListJson(list.sort((a, b) => a.index - b.index).map((entry) => entry.image));
  }

  /** Write the open row, if any. */
  async flush(): Promise<void> {
    const row = this.#open;
    if (!row) return;
    this.#open = undefined;
    this.#lastStep = row.step;
    const runtime = (row.timeMs - this.startTimeMs) / 1000;
    const line = { ...row.values, _step: row.step, _runtime: runtime, _timestamp: row.timeMs / 1000 };
    await this.folder.appendHistory(stringifyExtendedJson(line));
    this.#summary = { ...this.#summary, ...line, _wandb: { runtime: Math.floor(runtime) } };
    await this.folder.writeSummary(stringifyExtendedJson(this.#summary));
  }

  /** Write the open row and record the exit code in the manifest. */
  async end(exitCode: number, timeMs: number): Promise<void> {
    await this.flush();
    await this.folder.markEnded(exitCode, timeMs / 1000);
  }

  async #rowAt(step: number, timeMs: number): Promise<OpenRow | undefined> {
    if (step <= this.#lastStep || (this.#open && step < this.#open.step)) {
      if (!this.#warnedStep) {
        this.#warnedStep = true;
        this.warn(`W&B: dropped data logged at step ${step}, after step ${this.#open?.step ?? this.#lastStep}: W&B history steps must increase (further drops are not reported)`);
      }
      return undefined;
    }
    if (this.#open && step > this.#open.step) await this.flush();
    this.#open ??= { step, values: {}, timeMs };
    this.#open.timeMs = Math.max(this.#open.timeMs, timeMs);
    return this.#open;
  }
}
