import { sendError } from './http.js';
import { handleCreateRepo, handleInfo, handlePathsInfo, handleTree, handleWhoami } from './routeApi.js';
import { findRepo, type RouteContext } from './RouteContext.js';
import { handleLfsDownload, handleResolve } from './routeFiles.js';
import { handleCommit, handleLfsBatch, handleLfsUpload, handlePreupload } from './routeUpload.js';
import type { LocalRepoType } from './types.js';

const API_ACTIONS = new Set(['revision', 'tree', 'paths-info', 'preupload', 'commit']);
const LFS_BATCH = '.git/info/lfs/objects/batch';

/** Routes one request to its handler; unknown routes get 404. */
export async function dispatch(context: RouteContext): Promise<void> {
  const { url, request, response } = context;
  const method = request.method ?? 'GET';
  const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);

  if (url.pathname === '/api/whoami-v2' && method === 'GET') return handleWhoami(context);
  if (url.pathname === '/api/repos/create' && method === 'POST') return handleCreateRepo(context);
  if (segments[0] === '__lfs' && segments[1] !== undefined && (method === 'GET' || method === 'HEAD')) {
    return handleLfsDownload(context, segments[1]);
  }
  if (segments[0] === '__lfs-upload' && segments[1] !== undefined && method === 'PUT') return handleLfsUpload(context, segments[1]);

  if (segments[0] === 'api' && (segments[1] === 'models' || segments[1] === 'datasets')) {
    return routeApi(context, segments[1] === 'models' ? 'model' : 'dataset', segments.slice(2), method);
  }
  if (url.pathname.endsWith(LFS_BATCH) && method === 'POST') {
    const [type, rest] = splitType(url.pathname.slice(1, -LFS_BATCH.length).split('/'));
    const repo = findRepo(context, type, rest.join('/'), true);
    if (repo !== undefined) await handleLfsBatch(context);
    return;
  }
  if (method === 'GET' || method === 'HEAD') {
    const [type, rest] = splitType(segments);
    const at = actionIndex(rest, ['resolve', 'raw']);
    if (at !== undefined && rest[at + 1] !== undefined && rest.length > at + 2) {
      const path = rest.slice(at + 2).join('/');
      return handleResolve(context, type, rest.slice(0, at).join('/'), rest[at + 1] as string, path, rest[at] === 'raw');
    }
  }
  sendError(response, 404, `The local Hub has no route for ${method} ${url.pathname}`);
}

async function routeApi(context: RouteContext, type: LocalRepoType, rest: string[], method: string): Promise<void> {
  const at = actionIndex(rest, API_ACTIONS);
  if (at === undefined) {
    if (method === 'GET' && (rest.length === 1 || rest.length === 2)) return handleInfo(context, type, rest.join('/'), 'HEAD');
    return sendError(context.response, 404, `The local Hub has no route for ${method} ${context.url.pathname}`);
  }
  const id = rest.slice(0, at).join('/');
  const action = rest[at];
  const revision = rest[at + 1] ?? 'main';
  if (action === 'revision' && method === 'GET') return handleInfo(context, type, id, revision);
  const write = action === 'preupload' || action === 'commit';
  const repo = findRepo(context, type, id, write);
  if (repo === undefined) return;
  if (action === 'tree' && method === 'GET') return handleTree(context, repo, revision, rest.slice(at + 2).join('/'));
  if (action === 'paths-info' && method === 'POST') return handlePathsInfo(context, repo, revision);
  if (action === 'preupload' && method === 'POST') return handlePreupload(context);
  if (action === 'commit' && method === 'POST') return handleCommit(context, repo, revision);
  sendError(context.response, 405, `${method} is not allowed on ${context.url.pathname}`);
}

/** `['datasets', 'org', 'name', ...]` → dataset + the rest; anything else is a model path. */
function splitType(segments: string[]): [LocalRepoType, string[]] {
  return segments[0] === 'datasets' ? ['dataset', segments.slice(1)] : ['model', segments];
}

/** Where the action keyword sits: after `org/name` (index 2) or after a namespace-less id (index 1). */
function actionIndex(rest: string[], actions: ReadonlySet<string> | readonly string[]): number | undefined {
  const has = (value: string | undefined): boolean =>
    value !== undefined && (Array.isArray(actions) ? actions.includes(value) : (actions as ReadonlySet<string>).has(value));
  if (has(rest[2])) return 2;
  if (has(rest[1])) return 1;
  return undefined;
}
