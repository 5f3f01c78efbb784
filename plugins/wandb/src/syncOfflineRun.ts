import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { readNetrcApiKey } from './readNetrcApiKey.js';
import { DEFAULT_BASE_URL } from './resolveWandbSettings.js';
import type { RetryPolicy } from './retry.js';
import { RunFolder } from './RunFolder.js';
import { RunUploader, type UploadReport } from './RunUploader.js';
import { runUrl } from './runUrl.js';
import { WandbClient } from './WandbClient.js';

/** Where and as whom {@link syncOfflineRun} uploads. Unset fields come from WANDB_* variables, then ~/.netrc. */
export interface SyncOptions {
  /** Default WANDB_API_KEY, then the netrc entry of the server's host. */
  readonly apiKey?: string | undefined;
  /** Default WANDB_BASE_URL, then https://api.wandb.ai. */
  readonly baseUrl?: string | undefined;
  /** Entity / project for a run not yet on the server (default: the run folder's, then WANDB_ENTITY / the viewer's). */
  readonly entity?: string | undefined;
  readonly project?: string | undefined;
  /** Environment to read instead of `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  readonly retry?: RetryPolicy | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** What a sync sent. */
export interface SyncResult extends UploadReport {
  readonly dir: string;
  /** The run's page. */
  readonly url: string;
  /** True when the server already had everything (nothing was sent). */
  readonly alreadySynced: boolean;
}

/**
 * Upload a run folder — an offline run, or an online run whose spool was not fully delivered — to a W&B server:
 * the run, its media, every history row the server has not acknowledged, the summary, and `complete` with the exit
 * code when the run ended. Idempotent: what a server acknowledged is recorded in the folder's sync.json, so a second
 * sync sends nothing. Throws WANDB_RUN_DIR_INVALID for a folder that is not a run, WANDB_AUTH_FAILED without a usable
 * key, WANDB_REQUEST_FAILED / WANDB_NETWORK_ERROR when the server refuses or cannot be reached (then run it again).
 */
export async function syncOfflineRun(dir: string, options: SyncOptions = {}): Promise<SyncResult> {
  const env = options.env ?? process.env;
  const folder = await RunFolder.open(dir);
  const baseUrl = (options.baseUrl ?? nonEmpty(env['WANDB_BASE_URL']) ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  if (!URL.canParse(baseUrl)) throw new SdxlError(ErrorCode.CONFIG_INVALID, `WANDB_BASE_URL: got "${baseUrl}"; expected a URL such as https://api.wandb.ai`);
  const host = new URL(baseUrl).host;
  const apiKey = options.apiKey ?? nonEmpty(env['WANDB_API_KEY']) ?? readNetrcApiKey(host, env);
  if (apiKey === undefined) {
    throw new SdxlError(ErrorCode.WANDB_AUTH_FAILED, `no W&B API key to sync ${folder.dir}: set WANDB_API_KEY, or run \`wandb login\` (which writes ~/.netrc for ${host})`);
  }
  const client = new WandbClient({ baseUrl, apiKey, retry: options.retry });
  const report = await new RunUploader(folder, client).upload({
    complete: true,
    signal: options.signal,
    entity: options.entity ?? folder.manifest.entity ?? nonEmpty(env['WANDB_ENTITY']),
    project: options.project,
  });
  const alreadySynced = report.historyRowsSent === 0 && report.filesUploaded === 0 && !report.summarySent && !report.completed;
  return { ...report, dir: folder.dir, url: runUrl(baseUrl, report.path), alreadySynced };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
