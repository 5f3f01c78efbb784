import type { IncomingMessage, ServerResponse } from 'node:http';

/** Reads a whole request body. */
export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Sends a JSON body with a status and extra headers. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/**
 * Sends an error the way the Hub does: JSON `{ error }`, with `X-Error-Code` (RepoNotFound, RevisionNotFound,
 * EntryNotFound, GatedRepo, ...) and `X-Error-Message` headers that clients read to tell the cases apart.
 */
export function sendError(
  response: ServerResponse,
  status: number,
  message: string,
  code?: string,
  headers: Record<string, string> = {},
): void {
  sendJson(response, status, { error: message }, {
    ...(code === undefined ? {} : { 'X-Error-Code': code }),
    'X-Error-Message': message,
    ...headers,
  });
}

/** A byte range to serve, `'unsatisfiable'`, or undefined for the whole body (no or unsupported Range header). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return undefined; // why: multi-range and other units are ignored (200 with the whole body), as RFC 9110 allows.
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return undefined;
  return { start, end };
}

/** Whether a query flag is set the way Python (`True`) or JS (`true`, `1`) clients send it. */
export function isTruthyFlag(value: string | null): boolean {
  return value !== null && ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}
