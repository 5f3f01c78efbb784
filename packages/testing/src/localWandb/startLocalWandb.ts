import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyFileStream } from './applyFileStream.js';
import { answerGraphql, operationName, UPLOAD_HEADER } from './graphqlOperations.js';
import { LocalWandbFaults } from './LocalWandbFaults.js';
import type { LocalWandb, LocalWandbOptions, LocalWandbRequest } from './types.js';
import { WandbStore } from './WandbStore.js';

/** The API key the local W&B server accepts unless told otherwise (40 characters, as W&B keys). */
export const LOCAL_WANDB_API_KEY = 'local0wandb0test0key000000000000000000000';

const FILE_STREAM = /^\/files\/([^/]+)\/([^/]+)\/([^/]+)\/file_stream$/;

/**
 * Starts a real HTTP server on 127.0.0.1 (a free port) that speaks the parts of the W&B protocol a run uses:
 * GraphQL at `/graphql` (Viewer, UpsertBucket, RunResumeStatus, CreateRunFiles — documents checked against
 * wandb's), file_stream at `/files/{entity}/{project}/{run}/file_stream` with offset bookkeeping, and upload URLs on
 * itself that take the files with PUT. GraphQL and file_stream need `Authorization: Basic base64("api:" + key)`
 * (401 otherwise); uploads need the header CreateRunFiles handed out. Everything received is kept in memory.
 */
export async function startLocalWandb(options: LocalWandbOptions = {}): Promise<LocalWandb> {
  const keys = new Set(typeof options.apiKey === 'string' ? [options.apiKey] : (options.apiKey ?? [LOCAL_WANDB_API_KEY]));
  const entity = options.entity ?? 'local-user';
  const store = new WandbStore();
  const faults = new LocalWandbFaults();
  const requests: LocalWandbRequest[] = [];
  let delayMs = 0;
  let baseUrl = '';

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const record: LocalWandbRequest = {
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      operation: undefined,
      headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
      status: 0,
    };
    requests.push(record);
    const raw = await readBody(request);
    const url = new URL(record.path, baseUrl);
    let json: unknown;
    if (record.method === 'POST') {
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        return send(response, record, 400, { error: 'the body is not JSON' });
      }
    }
    record.operation =
      url.pathname === '/graphql' ? operationName((json ?? {}) as { query?: unknown }) : FILE_STREAM.test(url.pathname) ? 'file_stream' : url.pathname.startsWith('/__upload/') ? 'upload' : undefined;

    if (delayMs > 0) await sleep(delayMs);
    const fault = faults.take(record.method, record.path, record.operation);
    if (fault?.delayMs !== undefined) await sleep(fault.delayMs);
    if (fault?.resetConnection === true) {
      request.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) return send(response, record, fault.status, { errors: [{ message: `Injected failure (${fault.status})` }] });

    if (url.pathname.startsWith('/__upload/') && record.method === 'PUT') {
      const upload = store.findUpload(url.pathname.slice('/__upload/'.length));
      if (!upload) return send(response, record, 404, { error: 'unknown upload URL' });
      if (request.headers[UPLOAD_HEADER.toLowerCase()] !== '1') return send(response, record, 403, { error: `missing the ${UPLOAD_HEADER} header from uploadHeaders` });
      upload.run.files.set(upload.name, new Uint8Array(raw));
      return send(response, record, 200, {});
    }
    if (!authorized(request.headers.authorization, keys)) return send(response, record, 401, { errors: [{ message: 'user is not logged in' }] });
    if (url.pathname === '/graphql' && record.method === 'POST') {
      const answer = answerGraphql(json as { query?: unknown }, { store, baseUrl, entity });
      return send(response, record, answer.status, answer.body);
    }
    const stream = FILE_STREAM.exec(url.pathname);
    if (stream && record.method === 'POST') {
      const [, runEntity, project, name] = stream.map((part) => decodeURIComponent(part)) as [string, string, string, string];
      const run = store.find(runEntity, project, name);
      if (!run) return send(response, record, 404, { error: `run ${runEntity}/${project}/${name} not found` });
      const answer = applyFileStream(run, json);
      return send(response, record, answer.status, answer.body);
    }
    return send(response, record, 404, { error: `no route for ${record.method} ${url.pathname}` });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(`local W&B error: ${String(error)}`);
      else response.destroy();
    });
  });
  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    apiKey: [...keys][0] as string,
    get runs() {
      return store.runs;
    },
    run: (name) => store.runs.find((run) => run.name === name),
    requests,
    failNext: (fault) => faults.push(fault),
    clearFaults: () => faults.clear(),
    setDelay: (ms) => {
      delayMs = ms;
    },
    refuse: () => stop(server),
    accept: () => (server.listening ? Promise.resolve() : listen(server, port)),
    close: () => stop(server),
  };
}

function authorized(header: string | undefined, keys: ReadonlySet<string>): boolean {
  if (header === undefined || !header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && decoded.slice(0, colon) === 'api' && keys.has(decoded.slice(colon + 1));
}

function send(response: ServerResponse, record: LocalWandbRequest, status: number, body: unknown): void {
  record.status = status;
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function stop(server: ReturnType<typeof createServer>): Promise<void> {
  if (!server.listening) return;
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
