import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { CREATE_RUN_FILES_MUTATION, RUN_RESUME_STATUS_QUERY, UPSERT_BUCKET_MUTATION, VIEWER_QUERY } from './graphqlDocuments.js';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry.js';
import { wandbHttpError, wandbNetworkError } from './wandbErrors.js';

/** Where a run lives on the server: the path of its file_stream and its files. */
export interface RunPath {
  readonly entity: string;
  readonly project: string;
  /** The run id (W&B's bucket `name`). */
  readonly run: string;
}

/** What UpsertBucket sets on a run. `config` is W&B's config format: `{ key: { value } }`. */
export interface UpsertRunInput {
  readonly name: string;
  readonly project: string;
  readonly entity?: string | undefined;
  readonly displayName?: string | undefined;
  readonly notes?: string | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly groupName?: string | undefined;
  readonly jobType?: string | undefined;
  readonly config?: Readonly<Record<string, { readonly value: unknown }>> | undefined;
}

/** The run UpsertBucket created or updated. */
export interface UpsertedRun extends RunPath {
  /** The server's storage id. */
  readonly id: string;
  readonly historyLineCount: number;
  /** True when the run did not exist before. */
  readonly inserted: boolean;
}

/** Lines of one file_stream file written from `offset` (a line number) on. */
export interface FileStreamChunk {
  readonly offset: number;
  readonly content: readonly string[];
}

/** One file_stream request body (wandb core's FileStreamRequestJSON). */
export interface FileStreamBody {
  readonly files?: Readonly<Record<string, FileStreamChunk>>;
  readonly uploaded?: readonly string[];
  readonly complete?: boolean;
  readonly exitcode?: number;
}

/** Where to PUT one file, and the headers the PUT must carry. */
export interface UploadTarget {
  readonly name: string;
  readonly uploadUrl: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** How a {@link WandbClient} reaches the server. */
export interface WandbClientOptions {
  /** `https://api.wandb.ai` or a W&B server's URL (WANDB_BASE_URL). */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly retry?: RetryPolicy | undefined;
  /** An attempt with no answer after this long fails (and is retried). Default 60 s. */
  readonly requestTimeoutMs?: number | undefined;
}

/**
 * A small client of the W&B API: GraphQL (Viewer, UpsertBucket, RunResumeStatus, CreateRunFiles), file_stream and
 * file uploads, with `Authorization: Basic base64("api:" + key)`. Every call is retried on network errors, 408, 429
 * and 5xx (except 501) with {@link withRetry}; a 401 throws WANDB_AUTH_FAILED and other 4xx WANDB_REQUEST_FAILED at
 * once, as wandb core's retry policy does. Each call takes an AbortSignal that stops it, retries included.
 */
export class WandbClient {
  readonly baseUrl: string;
  readonly #authorization: string;
  readonly #retry: RetryPolicy;
  readonly #timeoutMs: number;

  constructor(options: WandbClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#authorization = `Basic ${Buffer.from(`api:${options.apiKey}`).toString('base64')}`;
    this.#retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#timeoutMs = options.requestTimeoutMs ?? 60_000;
  }

  /** The default entity of the API key's user. */
  async viewer(signal?: AbortSignal): Promise<{ entity: string; username: string | undefined }> {
    const data = await this.graphql<{ viewer: { entity?: string; username?: string } | null }>('Viewer', VIEWER_QUERY, {}, signal);
    if (!data.viewer?.entity) throw new SdxlError(ErrorCode.WANDB_AUTH_FAILED, `W&B at ${this.baseUrl} knows no user for this API key (viewer is empty)`);
    return { entity: data.viewer.entity, username: data.viewer.username };
  }

  /** Create the run, or update it when it exists (UpsertBucket). */
  async upsertRun(input: UpsertRunInput, signal?: AbortSignal): Promise<UpsertedRun> {
    const { config, tags, ...rest } = input;
    const variables = { ...rest, ...(tags ? { tags: [...tags] } : {}), ...(config ? { config: JSON.stringify(config) } : {}) };
    type Bucket = { id: string; name: string; historyLineCount?: number | null; project: { name: string; entity: { name: string } } };
    const data = await this.graphql<{ upsertBucket: { bucket: Bucket; inserted: boolean } }>('UpsertBucket', UPSERT_BUCKET_MUTATION, variables, signal);
    const { bucket, inserted } = data.upsertBucket;
    return { id: bucket.id, entity: bucket.project.entity.name, project: bucket.project.name, run: bucket.name, historyLineCount: bucket.historyLineCount ?? 0, inserted };
  }

  /** Whether the run exists and how many history lines it holds. */
  async runResumeStatus(path: RunPath, signal?: AbortSignal): Promise<{ exists: boolean; historyLineCount: number }> {
    type Model = { bucket: { historyLineCount?: number | null } | null } | null;
    const data = await this.graphql<{ model: Model }>('RunResumeStatus', RUN_RESUME_STATUS_QUERY, { entity: path.entity, project: path.project, name: path.run }, signal);
    const bucket = data.model?.bucket;
    return { exists: Boolean(bucket), historyLineCount: bucket?.historyLineCount ?? 0 };
  }

  /** Upload URLs for files of the run, named relative to the run folder (`media/images/x.png`). */
  async createRunFiles(path: RunPath, files: readonly string[], signal?: AbortSignal): Promise<UploadTarget[]> {
    type Created = { createRunFiles: { uploadHeaders?: string[] | null; files: Array<{ name: string; uploadUrl: string }> } };
    const data = await this.graphql<Created>('CreateRunFiles', CREATE_RUN_FILES_MUTATION, { entity: path.entity, project: path.project, run: path.run, files: [...files] }, signal);
    // why: uploadHeaders come as "Name:Value" strings (wandb's file_pusher splits them at the first colon).
    const headers = Object.fromEntries((data.createRunFiles.uploadHeaders ?? []).map((h) => [h.slice(0, h.indexOf(':')).trim(), h.slice(h.indexOf(':') + 1).trim()]));
    return data.createRunFiles.files.map((file) => ({ ...file, headers }));
  }

  /** PUT a file to its upload URL (no W&B credentials: the URL is signed). */
  async upload(target: UploadTarget, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    await this.#send('upload', target.uploadUrl, { method: 'PUT', headers: { ...target.headers }, body: bytes }, signal);
  }

  /** Send one file_stream request for the run. */
  async fileStream(path: RunPath, body: FileStreamBody, signal?: AbortSignal): Promise<void> {
    const url = `${this.baseUrl}/files/${[path.entity, path.project, path.run].map(encodeURIComponent).join('/')}/file_stream`;
    await this.#send('file_stream', url, { method: 'POST', headers: this.#headers(), body: JSON.stringify(body) }, signal);
  }

  /** Mark the run finished with its exit code. */
  async finish(path: RunPath, exitcode: number, signal?: AbortSignal): Promise<void> {
    await this.fileStream(path, { complete: true, exitcode }, signal);
  }

  /** One GraphQL operation; GraphQL errors in a 200 answer throw WANDB_REQUEST_FAILED. */
  async graphql<T>(operation: string, query: string, variables: Readonly<Record<string, unknown>>, signal?: AbortSignal): Promise<T> {
    const text = await this.#send(operation, `${this.baseUrl}/graphql`, { method: 'POST', headers: this.#headers(), body: JSON.stringify({ query, variables }) }, signal);
    const answer = parseJson(text) as { data?: T | null; errors?: Array<{ message?: string }> };
    if (answer.errors?.length || !answer.data) {
      const messages = (answer.errors ?? []).map((e) => e.message ?? JSON.stringify(e)).join('; ') || 'no data';
      throw new SdxlError(ErrorCode.WANDB_REQUEST_FAILED, `W&B ${operation} at ${this.baseUrl} failed: ${messages}`, { details: { operation, retryable: false } });
    }
    return answer.data;
  }

  #headers(): Record<string, string> {
    return { authorization: this.#authorization, 'content-type': 'application/json', 'user-agent': 'sdxl-trainer-wandb' };
  }

  async #send(operation: string, url: string, init: { method: string; headers: Record<string, string>; body: string | Uint8Array }, signal?: AbortSignal): Promise<string> {
    return withRetry(
      async () => {
        const timeout = AbortSignal.timeout(this.#timeoutMs);
        let response: Response;
        try {
          response = await fetch(url, { ...init, body: init.body as string | Uint8Array<ArrayBuffer>, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
        } catch (error) {
          signal?.throwIfAborted();
          throw wandbNetworkError(operation, url, timeout.aborted ? `no answer within ${this.#timeoutMs / 1000} s` : error);
        }
        // why: reading the body to its end also hands the connection back to the keep-alive pool.
        if (response.ok) return response.text();
        throw wandbHttpError(operation, url, response.status, await response.text().catch(() => ''), response.headers.get('retry-after'));
      },
      this.#retry,
      signal,
    );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { errors: [{ message: `the answer is not JSON: ${text.slice(0, 200)}` }] };
  }
}
