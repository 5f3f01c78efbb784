import { ErrorCode, SdxlError, isSdxlError } from '@sdxl-trainer/errors';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { contentHash, type ContentHash } from './contentHash.js';
import type { DownloadProgress } from './DownloadProgress.js';
import { errorFromResponse, networkError } from './hubErrors.js';
import { describeTarget, type HubRequestContext } from './HubRequestContext.js';
import type { RepoFileInfo } from './RepoFileInfo.js';

/** One blob to fetch into the cache. */
export interface BlobDownload {
  readonly url: string;
  readonly blobPath: string;
  readonly file: RepoFileInfo;
  /** A fetch that adds the token (see `authorizedFetch`); errors are handled here. */
  readonly fetch: typeof fetch;
  readonly context: HubRequestContext;
  /** How many times a broken transfer is resumed before giving up. */
  readonly retries: number;
  readonly onProgress?: ((progress: DownloadProgress) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

const PROGRESS_STEP = 1 << 20;

/**
 * Downloads a blob resumably and atomically: bytes go to `<blob>.incomplete`; an existing `.incomplete` is resumed
 * with `Range: bytes=<size>-`; a transfer that breaks is resumed up to `retries` times; the result is checked
 * against the listed size and sha256 (LFS) or git blob id (other files) and only then renamed to `<blob>`. A
 * damaged `.incomplete` is discarded and the file fetched once more from the start. An interrupted download leaves
 * only the `.incomplete`, never a file that looks complete.
 */
export async function downloadBlob(job: BlobDownload): Promise<void> {
  const incomplete = `${job.blobPath}.incomplete`;
  const size = job.file.lfsSize ?? job.file.size;
  await mkdir(dirname(job.blobPath), { recursive: true });
  let failures = 0;
  let restarted = false;
  for (;;) {
    const found = await fileSize(incomplete);
    let have = Math.max(found, 0);
    if (have > size) {
      await rm(incomplete, { force: true });
      have = 0;
    }
    const state = { hash: contentHash(job.file), have };
    await state.hash.updateFromFile(incomplete, have);
    let usable = true;
    try {
      if (found < 0 || have < size) usable = await transfer(job, incomplete, size, state);
    } catch (error) {
      if (isTransient(error) && failures < job.retries) {
        failures += 1;
        continue;
      }
      throw error;
    }
    if (usable && state.have === size && state.hash.digest() === state.hash.expected) {
      await rename(incomplete, job.blobPath);
      job.onProgress?.({ repoId: job.context.repoId ?? '', path: job.context.path ?? '', downloaded: size, total: size, done: true });
      return;
    }
    await rm(incomplete, { force: true });
    if (restarted) throw corrupt(job, state.have, size, state.hash);
    restarted = true;
  }
}

/** Appends the rest of the file to `incomplete`; false when the partial file cannot be a prefix of the file. */
async function transfer(job: BlobDownload, incomplete: string, size: number, state: { hash: ContentHash; have: number }): Promise<boolean> {
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (state.have > 0) headers.range = `bytes=${state.have}-`;
  let response: Response;
  try {
    response = await job.fetch(job.url, { headers, signal: job.signal ?? null, redirect: 'follow' });
  } catch (error) {
    if ((error as Error | undefined)?.name === 'AbortError') throw error;
    throw networkError(error, job.context);
  }
  if (response.status === 416) {
    // why: the server's file is not longer than what we hold, so the partial file is not a prefix of it.
    await response.body?.cancel();
    return false;
  }
  if (!response.ok) throw await errorFromResponse(response, job.context);
  const resumed = response.status === 206 && contentRangeStart(response) === state.have;
  if (state.have > 0 && !resumed) {
    // why: the server ignored the Range header (a 200 with the whole body) or answered another range: start over.
    state.have = 0;
    state.hash = contentHash(job.file);
  }
  const handle = await open(incomplete, state.have > 0 ? 'a' : 'w');
  let reported = state.have;
  try {
    if (response.body === null) throw new TypeError('empty response body');
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      await handle.write(chunk);
      state.hash.update(chunk);
      state.have += chunk.byteLength;
      if (state.have - reported >= PROGRESS_STEP) {
        reported = state.have;
        job.onProgress?.({ repoId: job.context.repoId ?? '', path: job.context.path ?? '', downloaded: state.have, total: size, done: false });
      }
    }
    await handle.sync();
    return true;
  } catch (error) {
    if ((error as Error | undefined)?.name === 'AbortError') throw error;
    throw networkError(error, job.context);
  } finally {
    await handle.close();
  }
}

function contentRangeStart(response: Response): number | undefined {
  const match = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '');
  return match === null ? undefined : Number(match[1]);
}

function isTransient(error: unknown): boolean {
  if (!isSdxlError(error)) return false;
  if (error.code === ErrorCode.HUB_NETWORK_ERROR) return true;
  const status = error.details?.status;
  return error.code === ErrorCode.HUB_REQUEST_FAILED && typeof status === 'number' && (status >= 500 || status === 429);
}

function corrupt(job: BlobDownload, have: number, size: number, hash: ContentHash): SdxlError {
  return new SdxlError(
    ErrorCode.HUB_DOWNLOAD_CORRUPT,
    `Download of ${describeTarget(job.context)} did not match what the Hub lists, twice: got ${have} of ${size} bytes` +
      ` hashing to ${hash.digest()}, expected ${hash.expected}. Nothing was kept; retry, and check any proxy or mirror in HF_ENDPOINT.`,
    { details: { repo: job.context.repoId, path: job.context.path, expected: hash.expected, size } },
  );
}

/** Size of a file, or -1 when it does not exist. */
async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return -1;
  }
}
