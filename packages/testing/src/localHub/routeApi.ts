import type { StoredRepo } from './HubStore.js';
import { isTruthyFlag, readBody, sendError, sendJson } from './http.js';
import { authorize, findRepo, webPrefix, type RouteContext } from './RouteContext.js';
import { directoryEntry, fileEntry, isDirectory, listTree, type TreeEntry } from './treeEntries.js';

/** `GET /api/whoami-v2`: who the token belongs to. */
export function handleWhoami(context: RouteContext): void {
  if (!authorize(context, undefined, true)) return;
  sendJson(context.response, 200, {
    type: 'user',
    name: context.user,
    fullname: context.user,
    orgs: [],
    auth: { type: 'access_token', accessToken: { displayName: 'local', role: 'write' } },
  });
}

/** `POST /api/repos/create` with `{ name, organization?, type?, private? | visibility? }`. */
export async function handleCreateRepo(context: RouteContext): Promise<void> {
  if (!authorize(context, undefined, true)) return;
  const body = JSON.parse((await readBody(context.request)).toString('utf8') || '{}') as {
    name?: string;
    organization?: string;
    type?: string;
    private?: boolean;
    visibility?: string;
  };
  const type = body.type === 'dataset' ? 'dataset' : body.type === undefined || body.type === 'model' ? 'model' : undefined;
  if (type === undefined || body.name === undefined || body.name === '') {
    sendError(context.response, 400, `cannot create a repo of type ${String(body.type)} named ${String(body.name)}`);
    return;
  }
  const id = `${body.organization ?? context.user}/${body.name}`;
  const url = `${context.baseUrl}/${webPrefix(type, id)}`;
  if (context.store.getRepo(type, id) !== undefined) {
    sendJson(context.response, 409, { error: `You already created this ${type} repo`, url });
    return;
  }
  const isPrivate = body.visibility === undefined ? body.private === true : body.visibility !== 'public';
  const repo = context.store.createRepo(type, id, isPrivate);
  sendJson(context.response, 200, { url, name: id, id: repo.objectId });
}

/** `GET /api/{type}s/{repo}[/revision/{rev}]`: repo info with the resolved `sha` and `siblings`. */
export function handleInfo(context: RouteContext, type: 'model' | 'dataset', id: string, revision: string): void {
  const repo = findRepo(context, type, id, false);
  if (repo === undefined) return;
  const commit = context.store.resolveRevision(repo, revision);
  if (commit === undefined) {
    sendError(context.response, 404, `Invalid rev id: ${revision}`, 'RevisionNotFound');
    return;
  }
  sendJson(context.response, 200, {
    _id: repo.objectId,
    id,
    ...(type === 'model' ? { modelId: id } : {}),
    author: id.includes('/') ? id.split('/')[0] : undefined,
    sha: commit.sha,
    private: repo.isPrivate,
    gated: false,
    disabled: false,
    lastModified: commit.date.toISOString(),
    createdAt: commit.date.toISOString(),
    tags: [],
    downloads: 0,
    likes: 0,
    siblings: [...commit.files.keys()].sort().map((rfilename) => ({ rfilename })),
  });
}

/** `GET /api/{type}s/{repo}/tree/{rev}[/{path}]?recursive=&expand=&cursor=`, paginated with a `Link` header. */
export function handleTree(context: RouteContext, repo: StoredRepo, revision: string, folder: string): void {
  const commit = context.store.resolveRevision(repo, revision);
  if (commit === undefined) {
    sendError(context.response, 404, `Invalid rev id: ${revision}`, 'RevisionNotFound');
    return;
  }
  if (folder !== '' && !isDirectory(commit, folder)) {
    sendError(context.response, 404, `Entry not found: ${folder} is not a folder`, 'EntryNotFound', { 'X-Repo-Commit': commit.sha });
    return;
  }
  const params = context.url.searchParams;
  const entries = listTree(commit, folder, isTruthyFlag(params.get('recursive')), isTruthyFlag(params.get('expand')));
  const start = Number(params.get('cursor') ?? '0');
  const page = entries.slice(start, start + context.treePageSize);
  const headers: Record<string, string> = { 'X-Repo-Commit': commit.sha };
  if (start + context.treePageSize < entries.length) {
    const next = new URL(context.url.pathname + context.url.search, context.baseUrl);
    next.searchParams.set('cursor', String(start + context.treePageSize));
    headers.Link = `<${next.toString()}>; rel="next"`;
  }
  sendJson(context.response, 200, page, headers);
}

/**
 * `POST /api/{type}s/{repo}/paths-info/{rev}`: entries for the given paths (missing ones are left out). Takes
 * JSON (the JS client) or a form body with repeated `paths` (the Python client).
 */
export async function handlePathsInfo(context: RouteContext, repo: StoredRepo, revision: string): Promise<void> {
  const commit = context.store.resolveRevision(repo, revision);
  const raw = (await readBody(context.request)).toString('utf8');
  if (commit === undefined) {
    sendError(context.response, 404, `Invalid rev id: ${revision}`, 'RevisionNotFound');
    return;
  }
  let paths: string[];
  let expand: boolean;
  if ((context.request.headers['content-type'] ?? '').includes('json')) {
    const body = JSON.parse(raw || '{}') as { paths?: string[]; expand?: boolean };
    paths = body.paths ?? [];
    expand = body.expand === true;
  } else {
    const form = new URLSearchParams(raw);
    paths = form.getAll('paths');
    expand = isTruthyFlag(form.get('expand'));
  }
  const entries: TreeEntry[] = [];
  for (const path of paths) {
    const file = commit.files.get(path);
    if (file !== undefined) entries.push(fileEntry(path, file, commit, expand));
    else if (isDirectory(commit, path)) entries.push(directoryEntry(path, commit, expand));
  }
  sendJson(context.response, 200, entries, { 'X-Repo-Commit': commit.sha });
}
