import type { Logger, TrainerEvent, ValidationImage } from '@sdxl-trainer/core';
import { isSdxlError } from '@sdxl-trainer/errors';
import { bufferTime, concatMap, defer, exhaustMap, filter, lastValueFrom, merge, of, Subject, type Observable, type Subscription } from 'rxjs';
import { HistoryRecorder } from './HistoryRecorder.js';
import type { RunFolder } from './RunFolder.js';
import { RunUploader } from './RunUploader.js';
import { runUrl } from './runUrl.js';
import type { WandbClient } from './WandbClient.js';

type Item =
  | { readonly kind: 'metrics'; readonly step: number; readonly values: Readonly<Record<string, number>>; readonly timeMs: number }
  | { readonly kind: 'images'; readonly step: number; readonly images: readonly ValidationImage[]; readonly timeMs: number }
  | { readonly kind: 'end'; readonly exitCode: number; readonly timeMs: number };

/** How a {@link WandbReporter} runs. */
export interface WandbReporterOptions {
  readonly folder: RunFolder;
  /** The server client; none in offline mode (the folder is only written). */
  readonly client: WandbClient | undefined;
  readonly logger: Logger;
  readonly startTimeMs: number;
  /** Sends happen at most this often while training. */
  readonly flushMs: number;
  /** How long {@link WandbReporter.finish} waits for the last sends. */
  readonly finishTimeoutMs: number;
}

const MAX_ROUND_BACKOFF_MS = 60_000;

/**
 * The W&B reporter's engine. The event subscriber only pushes into a Subject, so the training loop never waits:
 * events are recorded one at a time (concatMap) into the run folder — the spool, on disk before anything is sent —
 * and every `flushMs` (bufferTime) a send round uploads what the server has not acknowledged (exhaustMap: one round
 * at a time). A round that cannot reach the server is retried by later rounds with a growing pause; a refused API key
 * or another 4xx stops sending for the run, with one log line; the folder keeps everything for `wandb-sync`.
 */
export class WandbReporter {
  readonly #input = new Subject<Item>();
  readonly #abort = new AbortController();
  readonly #recorder: HistoryRecorder;
  readonly #uploader: RunUploader | undefined;
  #subscription: Subscription | undefined;
  #done: Promise<unknown> = Promise.resolve();
  #recordingFailed = false;
  #stopped = false;
  #unreachable = false;
  #failedRounds = 0;
  #nextRoundAt = 0;
  #url: string | undefined;

  constructor(private readonly options: WandbReporterOptions) {
    this.#recorder = new HistoryRecorder(options.folder, options.startTimeMs, (message) => options.logger.warn(message));
    this.#uploader = options.client && new RunUploader(options.folder, options.client);
  }

  /** Subscribe to the run's events and start the send rounds (the first one right away: the run appears at once). */
  start(events$: Observable<TrainerEvent>): void {
    const recorded$ = this.#input.pipe(concatMap((item) => defer(() => this.#record(item))));
    const rounds$ = this.#uploader
      ? merge(of(true), recorded$.pipe(bufferTime(this.options.flushMs), filter((batch) => batch.length > 0))).pipe(exhaustMap(() => defer(() => this.#round())))
      : recorded$;
    this.#done = lastValueFrom(rounds$, { defaultValue: undefined });
    this.#subscription = events$.subscribe((event) => {
      if (event.type === 'metrics') this.#input.next({ kind: 'metrics', step: event.step, values: event.values, timeMs: event.time });
      // why: copies, because encoding happens later and an emitter may reuse its buffers.
      else if (event.type === 'validation:images') this.#input.next({ kind: 'images', step: event.step, images: event.images.map((i) => ({ ...i, data: i.data.slice() })), timeMs: event.time });
    });
  }

  /** Record the end, drain the queue, send the rest and `complete` within the finish timeout; report what is left. */
  async finish(exitCode: number): Promise<void> {
    this.#subscription?.unsubscribe();
    this.#input.next({ kind: 'end', exitCode, timeMs: Date.now() });
    this.#input.complete();
    const { folder, logger, finishTimeoutMs } = this.options;
    const timer = setTimeout(() => this.#abort.abort(new Error(`W&B: finish timeout (${finishTimeoutMs / 1000} s)`)), finishTimeoutMs);
    try {
      await this.#done;
      if (!this.#uploader) {
        logger.info(`W&B offline run in ${folder.dir}; upload it with: sdxl-train wandb-sync ${folder.dir}`);
        return;
      }
      if (this.#stopped) return;
      let why = `within ${finishTimeoutMs / 1000} s`;
      try {
        const report = await this.#uploader.upload({ complete: true, signal: this.#abort.signal });
        if (report.upToDate) {
          logger.info(`W&B run synced (${folder.historyLines.length} history rows, ${folder.mediaFiles.length} media files): ${this.#url ?? runUrl(this.#uploader.client.baseUrl, report.path)}`);
          return;
        }
      } catch (error) {
        if (!this.#abort.signal.aborted && this.#fatal(error)) return;
        if (!this.#abort.signal.aborted) why = `(${message(error)})`;
      }
      const acked = folder.progress(this.#uploader.client.baseUrl)?.historyAcked ?? 0;
      logger.warn(
        `W&B: ${folder.historyLines.length - acked} of ${folder.historyLines.length} history rows not delivered ${why}; ` +
          `everything is kept in ${folder.dir}: upload it with: sdxl-train wandb-sync ${folder.dir}`,
      );
    } finally {
      clearTimeout(timer);
      this.#abort.abort();
    }
  }

  async #record(item: Item): Promise<void> {
    if (this.#recordingFailed) return;
    try {
      if (item.kind === 'metrics') await this.#recorder.metrics(item.step, item.values, item.timeMs);
      else if (item.kind === 'images') await this.#recorder.images(item.step, item.images, item.timeMs);
      else await this.#recorder.end(item.exitCode, item.timeMs);
    } catch (error) {
      this.#recordingFailed = true;
      this.options.logger.error(`W&B: writing ${this.options.folder.dir} failed, nothing more is logged to W&B this run: ${message(error)}`);
    }
  }

  async #round(): Promise<void> {
    if (!this.#uploader || this.#stopped || this.#abort.signal.aborted || Date.now() < this.#nextRoundAt) return;
    try {
      const report = await this.#uploader.upload({ complete: false, signal: this.#abort.signal });
      if (this.#url === undefined) {
        this.#url = runUrl(this.#uploader.client.baseUrl, report.path);
        this.options.logger.info(`W&B run: ${this.#url} (kept in ${this.options.folder.dir})`);
      }
      if (this.#unreachable) this.options.logger.info(`W&B: ${this.#uploader.client.baseUrl} answers again; sending the rows kept meanwhile`);
      this.#unreachable = false;
      this.#failedRounds = 0;
    } catch (error) {
      if (this.#abort.signal.aborted || this.#fatal(error)) return;
      this.#failedRounds += 1;
      this.#nextRoundAt = Date.now() + Math.min(MAX_ROUND_BACKOFF_MS, 1000 * 2 ** this.#failedRounds);
      if (!this.#unreachable) {
        this.#unreachable = true;
        this.options.logger.warn(`${message(error)}; the run is kept in ${this.options.folder.dir} and sent when the server answers`);
      }
    }
  }

  /** Stop sending for good on a refused key or another non-retryable answer (one log line); true when it did. */
  #fatal(error: unknown): boolean {
    if (isSdxlError(error) && error.details?.['retryable'] === true) return false;
    this.#stopped = true;
    const dir = this.options.folder.dir;
    this.options.logger.error(`${message(error)}; nothing more is sent to W&B this run. The run is kept in ${dir}: upload it later with: sdxl-train wandb-sync ${dir}`);
    return true;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
