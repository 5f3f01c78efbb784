import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { dispatch } from './dispatch.js';
import { FaultQueue } from './FaultQueue.js';
import { HubStore, type StoredFile } from './HubStore.js';
import { sendError } from './http.js';
import { isLfsByDefault } from './isLfsByDefault.js';
import type { AddRepoOptions, LocalHub, LocalHubOptions, LocalRepoFiles, LocalRepoType, RecordedRequest } from './types.js';

/** The token the local Hub accepts unless told otherwise (it has the `hf_` prefix @huggingface/hub requires). */
export const LOCAL_HUB_TOKEN = 'hf_localhubtesttoken0000000000000000';

/**
 * Starts a real HTTP server on 127.0.0.1 (a free port) that answers the Hugging Face Hub endpoints the JS and
 * Python clients use: repo info, tree, paths-info, resolve (ETag, X-Repo-Commit, X-Linked-*, LFS redirects,
 * Range), repo creation, preupload, NDJSON commits and the LFS batch API with basic transfer. Files live in memory.
 */
export async function startLocalHub(options: LocalHubOptions = {}): Promise<LocalHub> {
  const store = new HubStore();
  const faults = new FaultQueue();
  const tokens = new Set(typeof options.token === 'string' ? [options.token] : (options.token ?? [LOCAL_HUB_TOKEN]));
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let baseUrl = '';

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const record: RecordedRequest = {
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
      status: 0,
    };
    requests.push(record);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    response.on('close', () => {
      inFlight -= 1;
    });
    const originalWriteHead = response.writeHead.bind(response);
    response.writeHead = ((status: number, ...rest: unknown[]) => {
      record.status = status;
      return (originalWriteHead as (...args: unknown[]) => ServerResponse)(status, ...rest);
    }) as typeof response.writeHead;

    const fault = faults.take(record.method, record.path, 'request');
    if (fault?.delayMs !== undefined) await sleep(fault.delayMs);
    if (fault?.resetConnection === true) {
      request.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      sendError(response, fault.status, `Injected failure (${fault.status})`);
      return;
    }
    const url = new URL(record.path, baseUrl);
    await dispatch({
      store,
      baseUrl,
      tokens,
      user: options.user ?? 'local-user',
      redirectLfs: options.redirectLfs ?? true,
      treePageSize: options.treePageSize ?? 1000,
      request,
      response,
      url,
      takeBodyFault: () => faults.take(record.method, record.path, 'body'),
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, `Local Hub error: ${String(error)}`);
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const addRepo = (type: LocalRepoType, id: string, files: LocalRepoFiles, repoOptions: AddRepoOptions = {}): string => {
    const repo = store.getRepo(type, id) ?? store.createRepo(type, id, repoOptions.private === true);
    if (repoOptions.private !== undefined) repo.isPrivate = repoOptions.private;
    const isLfs = repoOptions.lfs ?? isLfsByDefault;
    const add = new Map<string, StoredFile>();
    for (const [path, content] of Object.entries(files)) {
      const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
      add.set(path, store.makeFile(bytes, isLfs(path, bytes.byteLength)));
    }
    return store.commit(repo, repoOptions.revision ?? 'main', { add }, repoOptions.message ?? `Add ${add.size} files`).sha;
  };
  for (const seed of options.repos ?? []) addRepo(seed.type, seed.id, seed.files, seed);

  const commitAt = (type: LocalRepoType, id: string, revision = 'main') => {
    const repo = store.getRepo(type, id);
    return repo === undefined ? undefined : store.resolveRevision(repo, revision);
  };

  return {
    url: baseUrl,
    requests,
    get maxConcurrentRequests() {
      return maxInFlight;
    },
    addRepo,
    failNext: (fault) => faults.push(fault),
    clearFaults: () => faults.clear(),
    getFile: (type, id, path, revision) => commitAt(type, id, revision)?.files.get(path)?.content,
    listFiles: (type, id, revision) => [...(commitAt(type, id, revision)?.files.keys() ?? [])].sort(),
    isLfs: (type, id, path, revision) => commitAt(type, id, revision)?.files.get(path)?.lfs !== undefined,
    branchHead: (type, id, branch = 'main') => store.getRepo(type, id)?.branches.get(branch),
    commits: (type, id) => {
      const repo = store.getRepo(type, id);
      return repo === undefined ? [] : store.history(repo);
    },
    resetRequests: () => {
      requests.length = 0;
      maxInFlight = inFlight;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
