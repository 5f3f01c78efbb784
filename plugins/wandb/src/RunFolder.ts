import { appendFile, mkdir, readdir, readFile, rename, symlink, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { timespec } from './runId.js';

/** What a run folder says about its run (`manifest.json`). */
export interface RunManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: 1;
  /** The run id (W&B's bucket name). */
  readonly id: string;
  /** Whether the id was chosen by the user (then the run may already exist on the server). */
  readonly idGiven: boolean;
  readonly project: string;
  readonly entity?: string | undefined;
  readonly displayName?: string | undefined;
  readonly notes?: string | undefined;
  readonly group?: string | undefined;
  readonly tags: readonly string[];
  readonly resume?: 'allow' | 'must' | 'never' | undefined;
  readonly mode: 'online' | 'offline';
  /** Unix seconds. */
  readonly startTime: number;
  /** Set when the run ended: 0 for a completed or stopped run, 1 for a failed one. */
  readonly exitCode?: number | undefined;
  readonly endTime?: number | undefined;
}

/** How far a run folder got on one server (keyed by base URL in `sync.json`). */
export interface ServerProgress {
  readonly entity: string;
  readonly project: string;
  readonly run: string;
  /** The server's history line number of this folder's line 0 (non-zero when the run was resumed). */
  readonly historyBase: number;
  /** Lines of history.jsonl the server acknowledged. */
  readonly historyAcked: number;
  /** sha256 of the summary the server acknowledged last. */
  readonly summarySha256?: string | undefined;
  /** Media files uploaded (run-relative names). */
  readonly uploaded: readonly string[];
  /** Whether the server acknowledged `complete: true`. */
  readonly completed: boolean;
}

/** The `format` of manifest.json. */
export const MANIFEST_FORMAT = 'sdxl-trainer-wandb-run';

const MANIFEST = 'manifest.json';
const CONFIG = 'config.json';
const HISTORY = 'history.jsonl';
const SUMMARY = 'summary.json';
const SYNC = 'sync.json';
const MEDIA = 'media';

let writes = 0;

/**
 * A run on disk, wandb's layout without the protobuf log: `wandb/run-<YYYYMMDD_HHMMSS>-<id>/` (or `offline-run-…`)
 * holding manifest.json, config.json (`{ key: { value } }`), history.jsonl (one extended-JSON row per line,
 * append-only: the spool), summary.json, media/images/*.png and sync.json (what each server acknowledged).
 * Every line and file is on disk before anything is sent; rewrites are atomic (temp file + rename).
 */
export class RunFolder {
  readonly #history: string[];
  readonly #media: string[];
  #manifest: RunManifest;
  #summary: string | undefined;
  #sync: Record<string, ServerProgress>;

  private constructor(
    readonly dir: string,
    manifest: RunManifest,
    readonly config: Readonly<Record<string, { readonly value: unknown }>>,
    history: string[],
    summary: string | undefined,
    media: string[],
    sync: Record<string, ServerProgress>,
  ) {
    this.#manifest = manifest;
    this.#history = history;
    this.#summary = summary;
    this.#media = media;
    this.#sync = sync;
  }

  /** Create `<wandbDir>/<run|offline-run>-<time>-<id>/` with its manifest and config, and point `latest-run` at it. */
  static async create(wandbDir: string, manifest: RunManifest, config: Readonly<Record<string, { readonly value: unknown }>>): Promise<RunFolder> {
    const prefix = manifest.mode === 'offline' ? 'offline-run' : 'run';
    const dir = join(wandbDir, `${prefix}-${timespec(new Date(manifest.startTime * 1000))}-${manifest.id}`);
    await mkdir(join(dir, MEDIA), { recursive: true });
    await writeAtomic(join(dir, CONFIG), `${JSON.stringify(config, null, 2)}\n`);
    await writeFile(join(dir, HISTORY), '', { flag: 'a' });
    await writeAtomic(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    await pointLatest(wandbDir, basename(dir));
    return new RunFolder(dir, manifest, config, [], undefined, [], {});
  }

  /** Open a run folder written by this plugin; WANDB_RUN_DIR_INVALID when it is not one. */
  static async open(dir: string): Promise<RunFolder> {
    const manifest = await readJson<RunManifest>(dir, MANIFEST);
    if (manifest.format !== MANIFEST_FORMAT || typeof manifest.id !== 'string' || typeof manifest.project !== 'string') {
      throw new SdxlError(ErrorCode.WANDB_RUN_DIR_INVALID, `${join(dir, MANIFEST)} is not a run manifest of @sdxl-trainer/plugin-wandb (format "${String(manifest.format)}")`, { details: { dir } });
    }
    const config = await readJson<Record<string, { value: unknown }>>(dir, CONFIG);
    const historyText = await readFile(join(dir, HISTORY), 'utf8').catch(() => '');
    // why: a crash mid-append can leave a last line without its newline; it is incomplete and is not sent.
    const history = historyText.split('\n').slice(0, -1).filter((line) => line !== '');
    const summary = await readFile(join(dir, SUMMARY), 'utf8').catch(() => undefined);
    const sync = await readJson<Record<string, ServerProgress>>(dir, SYNC).catch(() => ({}));
    return new RunFolder(dir, manifest, config, history, summary?.trim(), await listFiles(join(dir, MEDIA), dir), sync);
  }

  get manifest(): RunManifest {
    return this.#manifest;
  }

  /** The history rows on disk, in order. */
  get historyLines(): readonly string[] {
    return this.#history;
  }

  /** The summary JSON on disk, if any row was written. */
  get summaryText(): string | undefined {
    return this.#summary;
  }

  /** Media files on disk, run-relative with `/` (`media/images/…png`). */
  get mediaFiles(): readonly string[] {
    return this.#media;
  }

  /** Append one history row (a JSON line) to the spool, then make it visible to senders. */
  async appendHistory(line: string): Promise<void> {
    await appendFile(join(this.dir, HISTORY), `${line}\n`);
    this.#history.push(line);
  }

  async writeSummary(text: string): Promise<void> {
    await writeAtomic(join(this.dir, SUMMARY), `${text}\n`);
    this.#summary = text;
  }

  /** Write a media file under its run-relative name. */
  async writeMedia(name: string, bytes: Uint8Array): Promise<void> {
    const path = join(this.dir, ...name.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeAtomic(path, bytes);
    if (!this.#media.includes(name)) this.#media.push(name);
  }

  async readMedia(name: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(join(this.dir, ...name.split('/'))));
  }

  /** Record how the run ended. */
  async markEnded(exitCode: number, endTime: number): Promise<void> {
    this.#manifest = { ...this.#manifest, exitCode, endTime };
    await writeAtomic(join(this.dir, MANIFEST), `${JSON.stringify(this.#manifest, null, 2)}\n`);
  }

  /** What the server at `baseUrl` acknowledged, if it saw this run. */
  progress(baseUrl: string): ServerProgress | undefined {
    return this.#sync[baseUrl];
  }

  async saveProgress(baseUrl: string, progress: ServerProgress): Promise<void> {
    this.#sync = { ...this.#sync, [baseUrl]: progress };
    await writeAtomic(join(this.dir, SYNC), `${JSON.stringify(this.#sync, null, 2)}\n`);
  }
}

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.${writes++}.tmp`;
  await writeFile(temp, data);
  await rename(temp, path);
}

async function readJson<T>(dir: string, name: string): Promise<T> {
  const path = join(dir, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SdxlError(ErrorCode.WANDB_RUN_DIR_INVALID, `${dir} is not a W&B run folder of @sdxl-trainer/plugin-wandb: cannot read ${name}`, { details: { dir }, cause: error });
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new SdxlError(ErrorCode.WANDB_RUN_DIR_INVALID, `${path} is not valid JSON`, { details: { dir }, cause: error });
  }
}

async function listFiles(folder: string, root: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path, root)));
    else if (entry.isFile() && !entry.name.endsWith('.tmp')) files.push(relative(root, path).split(sep).join('/'));
  }
  return files;
}

async function pointLatest(wandbDir: string, target: string): Promise<void> {
  // why: `wandb/latest-run` as wandb keeps it, for `sdxl-train wandb-sync <outputDir>/wandb/latest-run`; best effort
  // (a file system without symlinks loses only the convenience).
  const link = join(wandbDir, 'latest-run');
  await unlink(link).catch(() => undefined);
  await symlink(target, link).catch(() => undefined);
}
