import { sha256Hex } from './gitObjects.js';
import type { StoredFile, StoredRepo } from './HubStore.js';
import { readBody, sendError, sendJson } from './http.js';
import { isLfsByDefault } from './isLfsByDefault.js';
import { authorize, webPrefix, type RouteContext } from './RouteContext.js';

/** `POST /api/{type}s/{repo}/preupload/{rev}`: which files go through LFS (decided by {@link isLfsByDefault}). */
export async function handlePreupload(context: RouteContext): Promise<void> {
  const body = JSON.parse((await readBody(context.request)).toString('utf8') || '{}') as {
    files?: Array<{ path: string; size: number }>;
  };
  const files = (body.files ?? []).map(({ path, size }) => ({
    path,
    uploadMode: isLfsByDefault(path, size) ? 'lfs' : 'regular',
    shouldIgnore: false,
  }));
  sendJson(context.response, 200, { files });
}

/**
 * `POST /{repo}.git/info/lfs/objects/batch` (git-lfs batch API, basic transfer only): objects the server lacks get
 * an upload action to `PUT /__lfs-upload/{oid}` on this server; known objects get none (already uploaded).
 */
export async function handleLfsBatch(context: RouteContext): Promise<void> {
  const body = JSON.parse((await readBody(context.request)).toString('utf8') || '{}') as {
    operation?: string;
    objects?: Array<{ oid: string; size: number }>;
  };
  const objects = (body.objects ?? []).map(({ oid, size }) => {
    const known = context.store.lfsObjects.get(oid);
    if (body.operation === 'download') {
      return known === undefined
        ? { oid, size, error: { code: 404, message: 'Object does not exist' } }
        : { oid, size, authenticated: true, actions: { download: { href: `${context.baseUrl}/__lfs/${oid}` } } };
    }
    if (known !== undefined && known.byteLength === size) return { oid, size, authenticated: true };
    const href = `${context.baseUrl}/__lfs-upload/${oid}?size=${size}`;
    return { oid, size, authenticated: true, actions: { upload: { href, header: {}, expires_in: 3600 } } };
  });
  const text = JSON.stringify({ transfer: 'basic', objects });
  context.response.writeHead(200, { 'Content-Type': 'application/vnd.git-lfs+json', 'Content-Length': Buffer.byteLength(text) });
  context.response.end(text);
}

/** `PUT /__lfs-upload/{oid}?size=`: stores the object after checking its sha256 and size. */
export async function handleLfsUpload(context: RouteContext, oid: string): Promise<void> {
  const bytes = new Uint8Array(await readBody(context.request));
  const size = context.url.searchParams.get('size');
  const actual = sha256Hex(bytes);
  if (actual !== oid || (size !== null && Number(size) !== bytes.byteLength)) {
    sendError(context.response, 400, `LFS upload of ${oid} received ${bytes.byteLength} bytes hashing to ${actual}`);
    return;
  }
  context.store.lfsObjects.set(oid, bytes);
  context.response.writeHead(200, { 'Content-Length': 0 });
  context.response.end();
}

interface CommitLine {
  key: 'header' | 'file' | 'lfsFile' | 'deletedFile' | 'deletedFolder';
  value: { summary?: string; parentCommit?: string; path?: string; content?: string; encoding?: string; oid?: string; size?: number };
}

/**
 * `POST /api/{type}s/{repo}/commit/{branch}` with an NDJSON body: a `header` line, then `file` (base64 or utf-8
 * content), `lfsFile` (an object uploaded before), `deletedFile` and `deletedFolder` lines. Records the commit.
 */
export async function handleCommit(context: RouteContext, repo: StoredRepo, branch: string): Promise<void> {
  if (!authorize(context, repo, true)) return;
  const lines = (await readBody(context.request))
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CommitLine);
  if (context.url.searchParams.has('create_pr')) {
    sendError(context.response, 400, 'The local Hub does not support pull requests');
    return;
  }
  const head = repo.branches.get(branch);
  if (head === undefined && branch !== 'main') {
    sendError(context.response, 404, `Invalid rev id: ${branch}`, 'RevisionNotFound');
    return;
  }
  const header = lines.find((line) => line.key === 'header')?.value ?? {};
  if (header.parentCommit !== undefined && header.parentCommit !== head) {
    sendError(context.response, 412, `A commit has happened since ${header.parentCommit}. Please refresh and try again.`);
    return;
  }
  const add = new Map<string, StoredFile>();
  const remove: string[] = [];
  const removeFolders: string[] = [];
  for (const { key, value } of lines) {
    if (key === 'file' && value.path !== undefined) {
      const bytes = value.encoding === 'base64' ? Buffer.from(value.content ?? '', 'base64') : Buffer.from(value.content ?? '', 'utf8');
      add.set(value.path, context.store.makeFile(new Uint8Array(bytes), false));
    } else if (key === 'lfsFile' && value.path !== undefined) {
      const bytes = context.store.lfsObjects.get(value.oid ?? '');
      if (bytes === undefined || (value.size !== undefined && bytes.byteLength !== value.size)) {
        sendError(context.response, 422, `LFS object ${String(value.oid)} for ${value.path} was never uploaded`);
        return;
      }
      add.set(value.path, context.store.makeFile(bytes, true));
    } else if (key === 'deletedFile' && value.path !== undefined) remove.push(value.path);
    else if (key === 'deletedFolder' && value.path !== undefined) removeFolders.push(value.path);
  }
  const commit = context.store.commit(repo, branch, { add, remove, removeFolders }, header.summary ?? 'Upload files');
  sendJson(context.response, 200, {
    success: true,
    commitOid: commit.sha,
    commitUrl: `${context.baseUrl}/${webPrefix(repo.type, repo.id)}/commit/${commit.sha}`,
    commitMessage: commit.title,
    hookOutput: '',
  });
}
