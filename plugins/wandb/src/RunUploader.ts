import { createHash } from 'node:crypto';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { RunFolder, ServerProgress } from './RunFolder.js';
import type { RunPath, WandbClient } from './WandbClient.js';

/** What one {@link RunUploader.upload} call does. */
export interface UploadOptions {
  /** Also mark the run finished with the manifest's exit code, if the run has ended. */
  readonly complete: boolean;
  readonly signal?: AbortSignal | undefined;
  /** Entity / project for a run not yet on this server (default: the manifest's, then the viewer's entity). */
  readonly entity?: string | undefined;
  readonly project?: string | undefined;
}

/** What one upload sent. */
export interface UploadReport {
  readonly path: RunPath;
  readonly historyRowsSent: number;
  readonly filesUploaded: number;
  readonly summarySent: boolean;
  /** True when this call marked the run finished. */
  readonly completed: boolean;
  /** True when the server has the whole folder (and `complete` if the run ended). */
  readonly upToDate: boolean;
}

/** Bounds of one file_stream request (wandb core caps requests at ~10 MB; the JS SDK at 10 000 lines). */
export interface ChunkLimits {
  readonly maxBytes: number;
  readonly maxLines: number;
}

const HISTORY = 'wandb-history.jsonl';
const SUMMARY = 'wandb-summary.json';
const FILES_PER_BATCH = 50;

/**
 * Sends what a {@link RunFolder} holds and the server has not acknowledged: the run (UpsertBucket, after a
 * RunResumeStatus check when the id was given), media files (CreateRunFiles + PUT), history lines at their file_stream
 * offsets, the summary, and `complete`. Progress is saved to the folder's sync.json after every acknowledgement, so a
 * later call (or `wandb-sync`) sends only the rest, and a resend after a lost acknowledgement lands on the same
 * offsets. Errors propagate (the caller decides whether to retry later).
 */
export class RunUploader {
  constructor(
    readonly folder: RunFolder,
    readonly client: WandbClient,
    private readonly limits: ChunkLimits = { maxBytes: 4 * 2 ** 20, maxLines: 10_000 },
  ) {}

  async upload(options: UploadOptions): Promise<UploadReport> {
    const { signal } = options;
    let progress = await this.#ensureRun(options);
    const path: RunPath = { entity: progress.entity, project: progress.project, run: progress.run };
    let filesUploaded = 0;
    const pending = this.folder.mediaFiles.filter((name) => !progress.uploaded.includes(name));
    for (let i = 0; i < pending.length; i += FILES_PER_BATCH) {
      for (const target of await this.client.createRunFiles(path, pending.slice(i, i + FILES_PER_BATCH), signal)) {
        await this.client.upload(target, await this.folder.readMedia(target.name), signal);
        progress = await this.#save({ ...progress, uploaded: [...progress.uploaded, target.name] });
        filesUploaded += 1;
      }
    }

    const lines = this.folder.historyLines;
    const startAcked = progress.historyAcked;
    const exitCode = this.folder.manifest.exitCode;
    const finishing = (): boolean => options.complete && exitCode !== undefined && !progress.completed;
    let summarySent = false;
    let completed = false;
    while (progress.historyAcked < lines.length || this.#summaryPending(progress)) {
      const chunk = this.#chunk(lines, progress.historyAcked);
      const last = progress.historyAcked + chunk.length === lines.length;
      const summary = last ? this.folder.summaryText : undefined;
      const sendSummary = summary !== undefined && sha256(summary) !== progress.summarySha256;
      const files: Record<string, { offset: number; content: string[] }> = {};
      if (chunk.length > 0) files[HISTORY] = { offset: progress.historyBase + progress.historyAcked, content: chunk };
      if (sendSummary) files[SUMMARY] = { offset: 0, content: [summary] };
      // why: as wandb core does, `complete` rides on the request that carries the last data.
      const complete = last && finishing();
      await this.client.fileStream(path, { files, ...(complete ? { complete: true, exitcode: exitCode } : {}) }, signal);
      progress = await this.#save({
        ...progress,
        historyAcked: progress.historyAcked + chunk.length,
        ...(sendSummary ? { summarySha256: sha256(summary) } : {}),
        ...(complete ? { completed: true } : {}),
      });
      summarySent ||= sendSummary;
      completed ||= complete;
    }
    if (finishing()) {
      await this.client.finish(path, exitCode as number, signal);
      progress = await this.#save({ ...progress, completed: true });
      completed = true;
    }
    return {
      path,
      historyRowsSent: progress.historyAcked - startAcked,
      filesUploaded,
      summarySent,
      completed,
      upToDate: progress.historyAcked === this.folder.historyLines.length && !this.#summaryPending(progress) && (exitCode === undefined || progress.completed),
    };
  }

  async #ensureRun(options: UploadOptions): Promise<ServerProgress> {
    const known = this.folder.progress(this.client.baseUrl);
    if (known) return known;
    const { signal } = options;
    const manifest = this.folder.manifest;
    const entity = options.entity ?? manifest.entity ?? (await this.client.viewer(signal)).entity;
    const project = options.project ?? manifest.project;
    if (manifest.resume === 'must' || manifest.resume === 'never') {
      const { exists } = await this.client.runResumeStatus({ entity, project, run: manifest.id }, signal);
      if (exists !== (manifest.resume === 'must')) {
        const why = exists ? 'exists already (WANDB_RESUME=never); choose another run id' : 'does not exist (WANDB_RESUME=must)';
        throw new SdxlError(ErrorCode.WANDB_REQUEST_FAILED, `W&B run ${entity}/${project}/${manifest.id} ${why}`, { details: { retryable: false } });
      }
    }
    const run = await this.client.upsertRun(
      { name: manifest.id, project, entity, displayName: manifest.displayName, notes: manifest.notes, tags: manifest.tags, groupName: manifest.group, config: this.folder.config },
      signal,
    );
    // why: a run that existed (resumed) keeps its history; ours is appended after its last line.
    return this.#save({ entity: run.entity, project: run.project, run: run.run, historyBase: run.inserted ? 0 : run.historyLineCount, historyAcked: 0, uploaded: [], completed: false });
  }

  #summaryPending(progress: ServerProgress): boolean {
    const summary = this.folder.summaryText;
    return summary !== undefined && sha256(summary) !== progress.summarySha256;
  }

  #chunk(lines: readonly string[], from: number): string[] {
    const chunk: string[] = [];
    let bytes = 0;
    for (let i = from; i < lines.length && chunk.length < this.limits.maxLines; i++) {
      const line = lines[i] as string;
      if (chunk.length > 0 && bytes + line.length > this.limits.maxBytes) break;
      chunk.push(line);
      bytes += line.length;
    }
    return chunk;
  }

  async #save(progress: ServerProgress): Promise<ServerProgress> {
    await this.folder.saveProgress(this.client.baseUrl, progress);
    return progress;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
