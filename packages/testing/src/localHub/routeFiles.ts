import { lfsPointer } from './gitObjects.js';
import { parseRange, sendError } from './http.js';
import { findRepo, type RouteContext } from './RouteContext.js';
import type { LocalRepoType } from './types.js';

/**
 * `GET|HEAD /{repo}/resolve/{rev}/{path}` (and `/raw/`), models at the root and datasets under `/datasets/`.
 * Headers follow the Hub: `X-Repo-Commit`, `ETag` (git blob id, quoted); for LFS files `X-Linked-Etag` (sha256)
 * and `X-Linked-Size`, and a 302 to a CDN-like URL on this server when `redirectLfs` is on.
 */
export function handleResolve(
  context: RouteContext,
  type: LocalRepoType,
  id: string,
  revision: string,
  path: string,
  raw: boolean,
): void {
  const repo = findRepo(context, type, id, false);
  if (repo === undefined) return;
  const commit = context.store.resolveRevision(repo, revision);
  if (commit === undefined) {
    sendError(context.response, 404, `Invalid rev id: ${revision}`, 'RevisionNotFound');
    return;
  }
  const file = commit.files.get(path);
  if (file === undefined) {
    sendError(context.response, 404, `Entry not found: ${path}`, 'EntryNotFound', { 'X-Repo-Commit': commit.sha });
    return;
  }
  const headers: Record<string, string> = { 'X-Repo-Commit': commit.sha, ETag: `"${file.oid}"` };
  if (file.lfs === undefined || raw) {
    const bytes = raw && file.lfs !== undefined ? new TextEncoder().encode(lfsPointer(file.lfs.sha256, file.lfs.size)) : file.content;
    sendBytes(context, bytes, headers);
    return;
  }
  headers['X-Linked-Etag'] = `"${file.lfs.sha256}"`;
  headers['X-Linked-Size'] = String(file.lfs.size);
  headers.ETag = `"${file.lfs.sha256}"`;
  if (!context.redirectLfs) {
    sendBytes(context, file.content, headers);
    return;
  }
  const location = `${context.baseUrl}/__lfs/${file.lfs.sha256}?filename=${encodeURIComponent(path).replaceAll('%2F', '/')}`;
  context.response.writeHead(302, { ...headers, Location: location, 'Content-Length': 0 });
  context.response.end();
}

/** `GET|HEAD /__lfs/{sha256}`: the CDN side of an LFS redirect (a signed URL on the Hub; no token needed). */
export function handleLfsDownload(context: RouteContext, sha256: string): void {
  const bytes = context.store.lfsObjects.get(sha256);
  if (bytes === undefined) {
    sendError(context.response, 404, `No LFS object ${sha256}`);
    return;
  }
  sendBytes(context, bytes, { ETag: `"${sha256}"` });
}

/**
 * Sends file bytes honouring `Range` (206 + `Content-Range`, 416 when unsatisfiable), HEAD (headers only) and an
 * injected `dropAfterBytes` fault (headers and that many body bytes, then the connection is destroyed).
 */
export function sendBytes(context: RouteContext, bytes: Uint8Array, headers: Record<string, string>): void {
  const { request, response } = context;
  const range = parseRange(request.headers.range, bytes.byteLength);
  const common = { ...headers, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' };
  if (range === 'unsatisfiable') {
    response.writeHead(416, { ...common, 'Content-Range': `bytes */${bytes.byteLength}`, 'Content-Length': 0 });
    response.end();
    return;
  }
  const body = range === undefined ? bytes : bytes.subarray(range.start, range.end + 1);
  const status = range === undefined ? 200 : 206;
  response.writeHead(status, {
    ...common,
    'Content-Length': body.byteLength,
    ...(range === undefined ? {} : { 'Content-Range': `bytes ${range.start}-${range.end}/${bytes.byteLength}` }),
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  const drop = context.takeBodyFault()?.dropAfterBytes;
  if (drop === undefined || drop >= body.byteLength) {
    response.end(body);
    return;
  }
  // why: the client must see a body cut short after exactly `drop` bytes, as when a connection breaks mid-file. The
  // pause lets the client read those bytes first: an HTTP client may drop data still queued when the socket dies.
  response.write(body.subarray(0, drop), () => setTimeout(() => response.socket?.destroy(), 50));
}
