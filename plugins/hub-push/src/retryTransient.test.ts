import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { describe, expect, it } from 'vitest';
import { isTransientHubError, retryTransient } from './retryTransient.js';

const hubError = (code: ErrorCode, details?: Record<string, unknown>, cause?: unknown) => new SdxlError(code, code, { details, cause });

describe('isTransientHubError', () => {
  it('retries connection faults, 5xx and 429 only', () => {
    expect(isTransientHubError(hubError(ErrorCode.HUB_NETWORK_ERROR))).toBe(true);
    expect(isTransientHubError(hubError(ErrorCode.HUB_REQUEST_FAILED, { status: 503 }))).toBe(true);
    expect(isTransientHubError(hubError(ErrorCode.HUB_REQUEST_FAILED, { status: 429 }))).toBe(true);
    expect(isTransientHubError(hubError(ErrorCode.HUB_REQUEST_FAILED, { status: 400 }))).toBe(false);
    expect(isTransientHubError(hubError(ErrorCode.HUB_ACCESS_DENIED, { status: 403 }))).toBe(false);
    expect(isTransientHubError(hubError(ErrorCode.HUB_AUTH_REQUIRED))).toBe(false);
    expect(isTransientHubError(new TypeError('fetch failed'))).toBe(true);
    expect(isTransientHubError(new Error('bug'))).toBe(false);
    expect(isTransientHubError(hubError(ErrorCode.HUB_UPLOAD_FAILED, undefined, new TypeError('terminated')))).toBe(true);
    expect(isTransientHubError(hubError(ErrorCode.HUB_UPLOAD_FAILED))).toBe(false);
  });
});

describe('retryTransient', () => {
  it('retries up to `retries` times with doubling waits, then gives up with the last error', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await retryTransient(
      async (attempt) => {
        calls += 1;
        if (attempt < 3) throw hubError(ErrorCode.HUB_NETWORK_ERROR);
        return 'ok';
      },
      { retries: 3, delayMs: 1, onRetry: (_attempt, _error, delay) => waits.push(delay) },
    );
    expect(result).toEqual({ value: 'ok', attempts: 3 });
    expect(calls).toBe(3);
    expect(waits).toEqual([1, 2]);

    const errors = [1, 2, 3].map((n) => hubError(ErrorCode.HUB_REQUEST_FAILED, { status: 500, n }));
    calls = 0;
    await expect(retryTransient(async (attempt) => { calls += 1; throw errors[attempt - 1]; }, { retries: 2, delayMs: 0 })).rejects.toBe(errors[2]);
    expect(calls).toBe(3);
  });

  it('does not retry an error retrying cannot fix', async () => {
    let calls = 0;
    const refused = hubError(ErrorCode.HUB_ACCESS_DENIED);
    await expect(retryTransient(async () => { calls += 1; throw refused; }, { retries: 5, delayMs: 0 })).rejects.toBe(refused);
    expect(calls).toBe(1);
  });
});
