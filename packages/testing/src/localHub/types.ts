/** The repository kinds the local Hub serves. */
export type LocalRepoType = 'model' | 'dataset';

/** Files of a repository: repo path → content (a string is stored as UTF-8). */
export type LocalRepoFiles = Readonly<Record<string, string | Uint8Array>>;

/** How {@link LocalHub.addRepo} stores files. */
export interface AddRepoOptions {
  /** Branch that receives the commit (created if missing). Default `main`. */
  readonly revision?: string;
  /** Private repos answer 401 without a token and 403 with a token the server does not accept. */
  readonly private?: boolean;
  /** Decides which files are stored as LFS objects (default: {@link isLfsByDefault}). */
  readonly lfs?: (path: string, size: number) => boolean;
  /** Commit title. */
  readonly message?: string;
}

/** A repository to create when the server starts. */
export interface SeedRepo extends AddRepoOptions {
  readonly type: LocalRepoType;
  readonly id: string;
  readonly files: LocalRepoFiles;
}

/** One request the server received, recorded when it arrives. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query exactly as sent, e.g. `/org/name/resolve/main/unet/config.json`. */
  readonly path: string;
  /** Request headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Status code sent back; 0 until the response starts, or when the connection was dropped first. */
  status: number;
}

/**
 * A fault to inject into the next matching request(s). Matching uses `method` (case-insensitive) and `path`
 * (a substring of, or a RegExp tested against, the path + query). Exactly one effect is expected.
 */
export interface Fault {
  readonly method?: string;
  readonly path?: string | RegExp;
  /** How many matching requests this fault hits (default 1; `Infinity` for all). */
  readonly times?: number;
  /** Answer with this HTTP status (and a JSON error body) instead of the normal response. */
  readonly status?: number;
  /**
   * Send the headers and this many bytes of the body, then destroy the connection. Only requests that send file
   * bytes use it up (a 302 to the LFS CDN does not), so `path: 'unet/model.safetensors'` hits the redirected request
   * too: the CDN URL carries `?filename=<path>`.
   */
  readonly dropAfterBytes?: number;
  /** Wait this long before answering normally. */
  readonly delayMs?: number;
  /** Destroy the connection before any response is sent. */
  readonly resetConnection?: boolean;
}

/** What {@link startLocalHub} accepts. */
export interface LocalHubOptions {
  readonly repos?: readonly SeedRepo[];
  /** Accepted access token(s). Default {@link LOCAL_HUB_TOKEN}. */
  readonly token?: string | readonly string[];
  /** User name returned by `/api/whoami-v2`. Default `local-user`. */
  readonly user?: string;
  /** Redirect LFS files to a CDN-like URL on the same server, as the Hub does (default true). */
  readonly redirectLfs?: boolean;
  /** Entries per page of the tree listing before a `Link: rel="next"` page (default 1000, as the Hub). */
  readonly treePageSize?: number;
}

/** A commit as the server recorded it. */
export interface CommitRecord {
  readonly sha: string;
  readonly parent: string | undefined;
  readonly title: string;
  readonly paths: readonly string[];
}

/** A running local Hub (a real HTTP server on 127.0.0.1). */
export interface LocalHub {
  /** Base URL, e.g. `http://127.0.0.1:41234`; use it as `HF_ENDPOINT`. */
  readonly url: string;
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[];
  /** The highest number of requests that were in progress at the same time. */
  readonly maxConcurrentRequests: number;
  /** Creates the repo if needed and commits `files` to the branch; returns the new commit sha. */
  addRepo(type: LocalRepoType, id: string, files: LocalRepoFiles, options?: AddRepoOptions): string;
  /** Queues a fault for the next matching request(s). */
  failNext(fault: Fault): void;
  /** Drops every queued fault. */
  clearFaults(): void;
  /** Content of a file at a revision (branch or commit; default `main`), or undefined. */
  getFile(type: LocalRepoType, id: string, path: string, revision?: string): Uint8Array | undefined;
  /** Paths of the files at a revision (default `main`), sorted. */
  listFiles(type: LocalRepoType, id: string, revision?: string): string[];
  /** Whether a file is stored as an LFS object at a revision (default `main`). */
  isLfs(type: LocalRepoType, id: string, path: string, revision?: string): boolean;
  /** Commit sha a branch points to, or undefined. */
  branchHead(type: LocalRepoType, id: string, branch?: string): string | undefined;
  /** Commits of a repository, oldest first. */
  commits(type: LocalRepoType, id: string): CommitRecord[];
  /** Forgets the request log and the concurrency high-water mark. */
  resetRequests(): void;
  /** Stops the server and closes open connections. */
  close(): Promise<void>;
}
