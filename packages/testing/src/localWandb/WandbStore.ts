import { randomBytes } from 'node:crypto';
import type { LocalWandbRun } from './types.js';

/** Where an upload URL handed out by CreateRunFiles writes to. */
export interface PendingUpload {
  readonly run: LocalWandbRun;
  readonly name: string;
}

/** The server's runs (keyed by entity/project/name) and the upload URLs it handed out. */
export class WandbStore {
  readonly #runs = new Map<string, LocalWandbRun>();
  readonly #uploads = new Map<string, PendingUpload>();

  get runs(): LocalWandbRun[] {
    return [...this.#runs.values()];
  }

  find(entity: string, project: string, name: string): LocalWandbRun | undefined {
    return this.#runs.get(key(entity, project, name));
  }

  /** The run, created empty when missing; `inserted` says which. */
  upsert(entity: string, project: string, name: string): { run: LocalWandbRun; inserted: boolean } {
    const existing = this.find(entity, project, name);
    if (existing) return { run: existing, inserted: false };
    const run: LocalWandbRun = {
      entity,
      project,
      name,
      displayName: undefined,
      notes: undefined,
      tags: [],
      config: undefined,
      upserts: 0,
      historyLines: [],
      history: [],
      rewrittenLines: 0,
      summary: undefined,
      streams: new Map(),
      files: new Map(),
      uploaded: new Set(),
      complete: false,
      exitcode: undefined,
      fileStreamRequests: 0,
    };
    this.#runs.set(key(entity, project, name), run);
    return { run, inserted: true };
  }

  /** An upload token (reusable, as a signed URL is until it expires) for `name` of `run`. */
  issueUpload(run: LocalWandbRun, name: string): string {
    const token = randomBytes(12).toString('hex');
    this.#uploads.set(token, { run, name });
    return token;
  }

  findUpload(token: string): PendingUpload | undefined {
    return this.#uploads.get(token);
  }
}

function key(entity: string, project: string, name: string): string {
  return `${entity}/${project}/${name}`;
}
