import { ErrorCode, isSdxlError } from '@sdxl-trainer/errors';
import { setTimeout as sleep } from 'node:timers/promises';

/** How {@link retryTransient} retries. */
export interface RetryOptions {
  /** Attempts after the first. */
  readonly retries: number;
  /** Wait before the first retry; doubled for each further one, capped at 60 s. */
  readonly delayMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Called before each retry with the failed attempt (1-based), its error and the wait. */
  readonly onRetry?: ((attempt: number, error: unknown, delayMs: number) => void) | undefined;
}

const MAX_DELAY_MS = 60_000;

/**
 * Whether a Hub call may succeed if simply tried again: a connection fault (refused, reset, cut mid-body), or an
 * HTTP 5xx / 429. Auth, 4xx and bad input are not: repeating them only delays the error.
 */
export function isTransientHubError(error: unknown): boolean {
  if (!isSdxlError(error)) return error instanceof TypeError; // why: fetch rejects with TypeError for network faults.
  if (error.code === ErrorCode.HUB_NETWORK_ERROR) return true;
  if (error.code === ErrorCode.HUB_REQUEST_FAILED) {
    const status = error.details?.['status'];
    return typeof status === 'number' && (status >= 500 || status === 429);
  }
  // why: @sdxl-trainer/hub wraps errors the upload library threw itself, e.g. a response body cut while reading it.
  if (error.code === ErrorCode.HUB_UPLOAD_FAILED) return error.cause !== undefined && isTransientHubError(error.cause);
  return false;
}

/**
 * Runs `task` until it succeeds, retrying transient Hub failures ({@link isTransientHubError}) up to `retries` times
 * with exponential back-off. Resolves with the result and the number of attempts; rejects with the last error
 * (`task` receives its attempt number, so a caller can tell how many were made).
 */
export async function retryTransient<T>(task: (attempt: number) => Promise<T>, options: RetryOptions): Promise<{ value: T; attempts: number }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return { value: await task(attempt), attempts: attempt };
    } catch (error) {
      if (attempt > options.retries || !isTransientHubError(error) || options.signal?.aborted === true) {
        throw error;
      }
      const delayMs = Math.min(options.delayMs * 2 ** (attempt - 1), MAX_DELAY_MS);
      options.onRetry?.(attempt, error, delayMs);
      await sleep(delayMs, undefined, options.signal === undefined ? undefined : { signal: options.signal });
    }
  }
}
