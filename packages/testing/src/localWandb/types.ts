/** What {@link startLocalWandb} accepts. */
export interface LocalWandbOptions {
  /** API key(s) the server accepts in `Authorization: Basic base64("api:" + key)`. Default {@link LOCAL_WANDB_API_KEY}. */
  readonly apiKey?: string | readonly string[];
  /** The viewer's default entity (`query Viewer { viewer { entity } }`). Default `local-user`. */
  readonly entity?: string;
}

/** One run as the server holds it: what the client sent, parsed. */
export interface LocalWandbRun {
  readonly entity: string;
  readonly project: string;
  /** The run id (W&B's bucket `name`). */
  readonly name: string;
  displayName: string | undefined;
  notes: string | undefined;
  tags: readonly string[];
  /** The last `config` JSONString of UpsertBucket, parsed (`{ key: { value } }`). */
  config: Record<string, unknown> | undefined;
  /** UpsertBucket calls for this run. */
  upserts: number;
  /** `wandb-history.jsonl` lines at their offsets, as sent (extended JSON: NaN and ±Infinity allowed). */
  readonly historyLines: string[];
  /** History lines parsed, in line order. */
  readonly history: Array<Record<string, unknown>>;
  /** Lines written again at an offset that already held one (a resend after a lost acknowledgement). */
  rewrittenLines: number;
  /** The last `wandb-summary.json` line, parsed. */
  summary: Record<string, unknown> | undefined;
  /** Lines of other file_stream files (`wandb-events.jsonl`, `output.log`), by file name. */
  readonly streams: Map<string, string[]>;
  /** Files PUT to the upload URLs CreateRunFiles handed out, by run-relative name (`media/images/x.png`). */
  readonly files: Map<string, Uint8Array>;
  /** Names the client reported in file_stream's `uploaded` list. */
  readonly uploaded: Set<string>;
  /** Whether a file_stream request carried `complete: true`. */
  complete: boolean;
  exitcode: number | undefined;
  /** file_stream POSTs that reached this run. */
  fileStreamRequests: number;
}

/** One request the server received. */
export interface LocalWandbRequest {
  readonly method: string;
  /** Path and query as sent. */
  readonly path: string;
  /** GraphQL operation name, `file_stream`, `upload`, or undefined for anything else. */
  operation: string | undefined;
  /** Request headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Status sent back; 0 until the response starts, or when the connection was dropped first. */
  status: number;
}

/**
 * A fault for the next matching request(s): matched by `operation` (GraphQL operation name, `file_stream` or
 * `upload`), `method` and `path` (substring or RegExp of path + query). One effect is expected.
 */
export interface LocalWandbFault {
  readonly operation?: string;
  readonly method?: string;
  readonly path?: string | RegExp;
  /** How many matching requests it hits (default 1; `Infinity` for all). */
  readonly times?: number;
  /** Answer with this status and a JSON error body, without handling the request. */
  readonly status?: number;
  /** Wait this long, then answer normally. */
  readonly delayMs?: number;
  /** Destroy the connection before answering. */
  readonly resetConnection?: boolean;
}

/** A running local W&B server. */
export interface LocalWandb {
  /** `http://127.0.0.1:<port>`: what WANDB_BASE_URL should be. */
  readonly url: string;
  /** The first accepted API key. */
  readonly apiKey: string;
  /** Every run, in creation order. */
  readonly runs: readonly LocalWandbRun[];
  /** The run with this id (in any entity and project), or undefined. */
  run(name: string): LocalWandbRun | undefined;
  /** Every request, in arrival order. */
  readonly requests: LocalWandbRequest[];
  /** Queue a fault for the next matching request(s). */
  failNext(fault: LocalWandbFault): void;
  clearFaults(): void;
  /** Delay every request by this many milliseconds (0 to stop). */
  setDelay(ms: number): void;
  /** Stop listening: new connections are refused (open ones are closed) until {@link LocalWandb.accept}. */
  refuse(): Promise<void>;
  /** Listen again on the same port. */
  accept(): Promise<void>;
  close(): Promise<void>;
}
