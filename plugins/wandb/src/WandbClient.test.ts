import { ErrorCode, SdxlError, isSdxlError } from '@sdxl-trainer/errors';
import { startLocalWandb, type LocalWandb } from '@sdxl-trainer/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay, withRetry, type RetryPolicy } from './retry.js';
import { WandbClient } from './WandbClient.js';
import { wandbHttpError } from './wandbErrors.js';

let server: LocalWandb | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// why: jitter 0 makes every wait zero, so retries are counted without waiting.
const instant: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 8000, random: () => 0 };

async function failure(promise: Promise<unknown>): Promise<SdxlError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!isSdxlError(error)) throw new Error(`expected an SdxlError, got ${String(error)}`);
  return error;
}

describe('backoffDelay', () => {
  it('draws uniformly below min(maxDelay, base · 2^(failures−1))', () => {
    const policy = (r: number): RetryPolicy => ({ maxAttempts: 9, baseDelayMs: 500, maxDelayMs: 8000, random: () => r });
    const caps = [1, 2, 3, 4, 5, 6, 7].map((n) => Math.min(8000, 500 * 2 ** (n - 1)));
    expect(caps).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
    caps.forEach((cap, i) => {
      expect(backoffDelay(i + 1, policy(0))).toBe(0);
      expect(backoffDelay(i + 1, policy(0.5))).toBe(cap / 2);
      expect(backoffDelay(i + 1, policy(0.999999))).toBeLessThan(cap);
    });
  });
});

describe('withRetry', () => {
  it('honours a Retry-After longer than the backoff, and stops at once when the signal aborts', async () => {
    let calls = 0;
    const started = performance.now();
    await withRetry(async () => {
      calls += 1;
      if (calls === 1) throw new SdxlError(ErrorCode.WANDB_REQUEST_FAILED, '429', { details: { retryable: true, retryAfterMs: 150 } });
      return 'ok';
    }, instant);
    expect(calls).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);

    const controller = new AbortController();
    const slow: RetryPolicy = { maxAttempts: 10, baseDelayMs: 10_000, maxDelayMs: 10_000, random: () => 0.99 };
    setTimeout(() => controller.abort(new Error('stop now')), 50);
    const waited = performance.now();
    await expect(withRetry(() => Promise.reject(new SdxlError(ErrorCode.WANDB_NETWORK_ERROR, 'down', { details: { retryable: true } })), slow, controller.signal)).rejects.toThrow('stop now');
    expect(performance.now() - waited).toBeLessThan(2000);
  });

  it('reads Retry-After seconds from 429 and 503 answers', () => {
    expect(wandbHttpError('x', 'http://h/graphql', 429, '', '2').details).toMatchObject({ retryable: true, retryAfterMs: 2000 });
    expect(wandbHttpError('x', 'http://h/graphql', 503, '', null).details).toMatchObject({ retryable: true });
    expect(wandbHttpError('x', 'http://h/graphql', 501, '', null).details).toMatchObject({ retryable: false });
    expect(wandbHttpError('x', 'http://h/graphql', 409, '', null).details).toMatchObject({ retryable: false });
  });
});

describe('WandbClient', () => {
  it('retries 5xx and 429 answers and resets, then succeeds', async () => {
    server = await startLocalWandb();
    server.failNext({ operation: 'Viewer', status: 503 });
    server.failNext({ operation: 'Viewer', status: 429 });
    server.failNext({ operation: 'Viewer', resetConnection: true });
    const client = new WandbClient({ baseUrl: server.url, apiKey: server.apiKey, retry: instant });
    expect(await client.viewer()).toEqual({ entity: 'local-user', username: 'local-user' });
    expect(server.requests.map((r) => r.status)).toEqual([503, 429, 0, 200]);
  });

  it('gives up after maxAttempts on a refused connection with WANDB_NETWORK_ERROR naming the cause', async () => {
    server = await startLocalWandb();
    await server.refuse();
    const error = await failure(new WandbClient({ baseUrl: server.url, apiKey: server.apiKey, retry: instant }).viewer());
    expect(error.code).toBe('WANDB_NETWORK_ERROR');
    expect(error.message).toBe(`W&B Viewer: cannot reach ${server.url} (ECONNREFUSED)`);
  });

  it('does not retry a 401 (WANDB_AUTH_FAILED), another 4xx, or GraphQL errors', async () => {
    server = await startLocalWandb();
    const wrongKey = await failure(new WandbClient({ baseUrl: server.url, apiKey: 'nope', retry: instant }).viewer());
    expect([wrongKey.code, wrongKey.details?.['status']]).toEqual(['WANDB_AUTH_FAILED', 401]);
    const client = new WandbClient({ baseUrl: server.url, apiKey: server.apiKey, retry: instant });
    server.failNext({ operation: 'file_stream', status: 400, times: 5 });
    const bad = await failure(client.fileStream({ entity: 'e', project: 'p', run: 'r' }, {}));
    expect([bad.code, bad.details?.['status'], bad.details?.['retryable']]).toEqual(['WANDB_REQUEST_FAILED', 400, false]);
    const graphql = await failure(client.createRunFiles({ entity: 'local-user', project: 'p', run: 'missing' }, ['a.png']));
    expect(graphql.message).toContain('W&B CreateRunFiles at');
    expect(graphql.message).toContain('not found');
    expect(server.requests.map((r) => r.status)).toEqual([401, 400, 200]);
  });

  it('times out an attempt that gets no answer, and retries it', async () => {
    server = await startLocalWandb();
    server.failNext({ operation: 'Viewer', delayMs: 1000 });
    const client = new WandbClient({ baseUrl: server.url, apiKey: server.apiKey, retry: instant, requestTimeoutMs: 200 });
    expect((await client.viewer()).entity).toBe('local-user');
    expect(server.requests.filter((r) => r.operation === 'Viewer')).toHaveLength(2);
  });

  it('creates runs, hands the upload headers of CreateRunFiles to the PUT, and streams lines', async () => {
    server = await startLocalWandb();
    const client = new WandbClient({ baseUrl: server.url, apiKey: server.apiKey, retry: instant });
    const run = await client.upsertRun({ name: 'abc', project: 'p', config: { lr: { value: 1e-4 } }, tags: ['x'] });
    expect(run).toMatchObject({ entity: 'local-user', project: 'p', run: 'abc', inserted: true, historyLineCount: 0 });
    const [target] = await client.createRunFiles(run, ['media/images/a.png']);
    expect(target!.headers).toEqual({ 'X-Local-Wandb-Upload': '1' });
    await client.upload(target!, new Uint8Array([1, 2, 3]));
    await client.fileStream(run, { files: { 'wandb-history.jsonl': { offset: 0, content: ['{"_step":1}'] } } });
    await client.finish(run, 0);
    expect(server.run('abc')).toMatchObject({ config: { lr: { value: 1e-4 } }, tags: ['x'], history: [{ _step: 1 }], complete: true, exitcode: 0 });
    expect(server.run('abc')!.files.get('media/images/a.png')).toEqual(new Uint8Array([1, 2, 3]));
    expect(await client.runResumeStatus(run)).toEqual({ exists: true, historyLineCount: 1 });
    expect(await client.runResumeStatus({ ...run, run: 'other' })).toEqual({ exists: false, historyLineCount: 0 });
  });
});
