import { setTimeout as sleep } from 'node:timers/promises';
import { isSdxlError } from '@sdxl-trainer/errors';

/** How a request is retried: exponential backoff with full jitter, bounded in attempts and delay. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Cap of the first wait; doubled for each further failure. */
  readonly baseDelayMs: number;
  /** Largest wait between two attempts (a longer Retry-After is honoured up to {@link MAX_RETRY_AFTER_MS}). */
  readonly maxDelayMs: number;
  /** Uniform [0, 1) numbers for the jitter (Math.random unless a test fixes it). */
  readonly random?: () => number;
}

/** Five attempts, waits drawn from [0, 0.5 s), [0, 1 s), [0, 2 s), [0, 4 s): at most 7.5 s of waiting per request. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 8000 };

/** The longest Retry-After (of a 429 or 503) that is honoured. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * The wait after `failures` failed attempts: "full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"),
 * uniform in [0, min(maxDelay, base · 2^(failures−1))), so clients that failed together do not retry together.
 */
export function backoffDelay(failures: number, policy: RetryPolicy): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - 1));
  return (policy.random ?? Math.random)() * cap;
}

/**
 * Runs `attempt` until it succeeds, the error is not retryable (an SdxlError whose `details.retryable` is not true),
 * the attempts are used up, or `signal` aborts (then its reason is thrown, without waiting).
 */
export async function withRetry<T>(attempt: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  for (let failures = 1; ; failures++) {
    signal?.throwIfAborted();
    try {
      return await attempt();
    } catch (error) {
      signal?.throwIfAborted();
      const details = isSdxlError(error) ? error.details : undefined;
      if (details?.['retryable'] !== true || failures >= policy.maxAttempts) throw error;
      const retryAfter = typeof details['retryAfterMs'] === 'number' ? Math.min(details['retryAfterMs'], MAX_RETRY_AFTER_MS) : 0;
      await sleep(Math.max(retryAfter, backoffDelay(failures, policy)), undefined, signal ? { signal } : undefined).catch((aborted: unknown) => {
        signal?.throwIfAborted();
        throw aborted;
      });
    }
  }
}
