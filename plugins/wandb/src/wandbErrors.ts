import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

// why: wandb core's retry policy (core/internal/clients/retry_policy.go) retries 5xx, 429 and 408 but not
// 400/401/403/404/409/410/413/422 nor 501; the same split here.
const NOT_RETRIED_5XX = new Set([501]);

/** The error of an HTTP answer that is not 2xx: WANDB_AUTH_FAILED for 401, else WANDB_REQUEST_FAILED; `details.retryable` says whether to try again. */
export function wandbHttpError(operation: string, url: string, status: number, body: string, retryAfter: string | null): SdxlError {
  const retryable = status === 408 || status === 429 || (status >= 500 && !NOT_RETRIED_5XX.has(status));
  const excerpt = body.replace(/\s+/g, ' ').trim().slice(0, 300);
  const origin = new URL(url).origin;
  const retryAfterMs = retryAfter !== null && /^\d+(\.\d+)?$/.test(retryAfter.trim()) ? Number(retryAfter) * 1000 : undefined;
  if (status === 401) {
    return new SdxlError(ErrorCode.WANDB_AUTH_FAILED, `W&B at ${origin} refused the API key (401 Unauthorized) for ${operation}${excerpt ? `: ${excerpt}` : ''}`, {
      details: { operation, status, retryable: false },
    });
  }
  return new SdxlError(ErrorCode.WANDB_REQUEST_FAILED, `W&B ${operation} at ${origin} answered ${status}${excerpt ? `: ${excerpt}` : ''}`, {
    details: { operation, status, retryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
  });
}

/** The error of a request that got no HTTP answer (refused, reset, DNS, timeout); always retryable. */
export function wandbNetworkError(operation: string, url: string, cause: unknown): SdxlError {
  const reason = typeof cause === 'string' ? cause : describeCause(cause);
  return new SdxlError(ErrorCode.WANDB_NETWORK_ERROR, `W&B ${operation}: cannot reach ${new URL(url).origin} (${reason})`, {
    details: { operation, retryable: true },
    cause,
  });
}

function describeCause(cause: unknown): string {
  // why: undici's fetch throws TypeError("fetch failed") and puts the system error (ECONNREFUSED, ...) in `cause`.
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause;
  if (inner instanceof Error) return (inner as { code?: string }).code ?? inner.message;
  return String(inner);
}
