import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HubStore, StoredRepo } from './HubStore.js';
import { sendError } from './http.js';
import type { Fault } from './types.js';

/** What a route handler gets: the server state and the request being answered. */
export interface RouteContext {
  readonly store: HubStore;
  readonly baseUrl: string;
  readonly tokens: ReadonlySet<string>;
  readonly user: string;
  readonly redirectLfs: boolean;
  readonly treePageSize: number;
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  /** Takes the queued body fault (dropAfterBytes) matching this request, if any. */
  readonly takeBodyFault: () => Fault | undefined;
}

/**
 * Checks the bearer token, answering the request itself when access is refused: a private repo (or any write)
 * needs a token — 401 without one, 403 with one the server does not accept. Returns whether to go on.
 */
export function authorize(context: RouteContext, repo: StoredRepo | undefined, write: boolean): boolean {
  if (!write && (repo === undefined || !repo.isPrivate)) return true;
  const header = context.request.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
  if (token === undefined || token === '') {
    const message = write ? 'You must be authenticated to write to the Hub' : 'Repository not found (private repos need a token)';
    sendError(context.response, 401, message, write ? undefined : 'RepoNotFound');
    return false;
  }
  if (!context.tokens.has(token)) {
    sendError(context.response, 403, 'The token is not authorized for this repository');
    return false;
  }
  return true;
}

/** Finds a repo for an API route, answering 404 RepoNotFound (after auth) when it does not exist. */
export function findRepo(context: RouteContext, type: 'model' | 'dataset', id: string, write: boolean): StoredRepo | undefined {
  const repo = context.store.getRepo(type, id);
  if (!authorize(context, repo, write)) return undefined;
  if (repo === undefined) {
    sendError(context.response, 404, `Repository not found: ${type}s/${id}`, 'RepoNotFound');
    return undefined;
  }
  return repo;
}

/** The URL prefix of a repo on the web: `org/name` for models, `datasets/org/name` for datasets. */
export function webPrefix(type: 'model' | 'dataset', id: string): string {
  return type === 'model' ? id : `datasets/${id}`;
}
