import { afterEach, describe, expect, it } from 'vitest';
import { parseExtendedJson } from './parseExtendedJson.js';
import { LOCAL_WANDB_API_KEY, startLocalWandb } from './startLocalWandb.js';
import type { LocalWandb } from './types.js';

let server: LocalWandb | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// Documents shaped as the wandb SDK's (core/api/graphql/*.graphql), written independently of the plugin's.
const VIEWER = 'query Viewer { viewer { id entity username } }';
const UPSERT = `mutation UpsertBucket($name: String, $project: String, $entity: String, $config: JSONString, $tags: [String!], $displayName: String) {
  upsertBucket(input: { name: $name, modelName: $project, entityName: $entity, config: $config, tags: $tags, displayName: $displayName }) {
    bucket { id name displayName project { id name entity { id name } } historyLineCount }
    inserted
  }
}`;
const CREATE_FILES = `mutation CreateRunFiles($entity: String!, $project: String!, $run: String!, $files: [String!]!) {
  createRunFiles(input: {entityName: $entity, projectName: $project, runName: $run, files: $files}) { runID uploadHeaders files { name uploadUrl } }
}`;
const RESUME = `query RunResumeStatus($project: String, $entity: String, $name: String!) {
  model(name: $project, entityName: $entity) { id name entity { id name } bucket(name: $name, missingOk: true) { id name historyLineCount } }
}`;

const basic = (key: string): string => `Basic ${Buffer.from(`api:${key}`).toString('base64')}`;

async function post(path: string, body: unknown, key = LOCAL_WANDB_API_KEY): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server!.url}${path}`, { method: 'POST', headers: { authorization: basic(key), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const gql = (query: string, variables: Record<string, unknown> = {}, key?: string) => post('/graphql', { query, variables }, key);
const stream = (run: string, body: unknown) => post(`/files/local-user/proj/${run}/file_stream`, body);

describe('startLocalWandb: GraphQL', () => {
  it('checks basic auth with the "api" user and answers Viewer with the default entity', async () => {
    server = await startLocalWandb();
    expect((await gql(VIEWER, {}, 'wrong-key')).status).toBe(401);
    const noAuth = await fetch(`${server.url}/graphql`, { method: 'POST', body: JSON.stringify({ query: VIEWER }) });
    expect(noAuth.status).toBe(401);
    const ok = await gql(VIEWER);
    expect(ok).toMatchObject({ status: 200, json: { data: { viewer: { entity: 'local-user' } } } });
    expect(server.requests.map((r) => [r.operation, r.status])).toEqual([['Viewer', 401], ['Viewer', 401], ['Viewer', 200]]);
  });

  it('UpsertBucket creates then updates a run, parsing the JSONString config; project goes in as modelName', async () => {
    server = await startLocalWandb();
    const config = { lr: { value: 0.001 }, seed: { value: 1 } };
    const first = await gql(UPSERT, { name: 'abc', project: 'proj', config: JSON.stringify(config), tags: ['a', 'b'], displayName: 'first try' });
    expect(first.json).toMatchObject({ data: { upsertBucket: { inserted: true, bucket: { name: 'abc', historyLineCount: 0, project: { name: 'proj', entity: { name: 'local-user' } } } } } });
    expect(server.run('abc')).toMatchObject({ entity: 'local-user', project: 'proj', config, tags: ['a', 'b'], displayName: 'first try', upserts: 1 });
    await stream('abc', { files: { 'wandb-history.jsonl': { offset: 0, content: ['{"_step":1}'] } } });
    const again = await gql(UPSERT, { name: 'abc', project: 'proj' });
    expect(again.json).toMatchObject({ data: { upsertBucket: { inserted: false, bucket: { historyLineCount: 1 } } } });
    expect(server.run('abc')!.upserts).toBe(2);
    const resume = await gql(RESUME, { name: 'abc', project: 'proj', entity: 'local-user' });
    expect(resume.json).toMatchObject({ data: { model: { bucket: { name: 'abc', historyLineCount: 1 } } } });
    const missing = await gql(RESUME, { name: 'nope', project: 'proj' });
    expect(missing.json).toMatchObject({ data: { model: { bucket: null } } });
  });

  it('refuses documents that differ from wandb\'s and variables of the wrong type (400)', async () => {
    server = await startLocalWandb();
    const wrongMapping = await gql(UPSERT.replace('modelName: $project', 'projectName: $project'), { name: 'x', project: 'p' });
    expect(wrongMapping.status).toBe(400);
    expect(JSON.stringify(wrongMapping.json)).toContain('does not match');
    const objectConfig = await gql(UPSERT, { name: 'x', project: 'p', config: { a: { value: 1 } } });
    expect(objectConfig.status).toBe(400);
    expect((await gql('query Nope { nope }')).status).toBe(400);
    expect(server.runs).toEqual([]);
  });
});

describe('startLocalWandb: file_stream', () => {
  it('writes lines at their offsets, counts rewrites, refuses gaps, keeps the last summary and completion', async () => {
    server = await startLocalWandb();
    await gql(UPSERT, { name: 'r1', project: 'proj' });
    expect((await stream('r1', { files: { 'wandb-history.jsonl': { offset: 0, content: ['{"a":1,"_step":1}', '{"a":NaN,"_step":2}'] } } })).status).toBe(200);
    expect((await stream('r1', { files: { 'wandb-history.jsonl': { offset: 1, content: ['{"a":NaN,"_step":2}', '{"a":-Infinity,"_step":3}'] } } })).status).toBe(200);
    const gap = await stream('r1', { files: { 'wandb-history.jsonl': { offset: 5, content: ['{"_step":9}'] } } });
    expect(gap.status).toBe(400);
    await stream('r1', { files: { 'wandb-summary.json': { offset: 0, content: ['{"a":1}', '{"a":-Infinity,"_step":3}'] } }, complete: true, exitcode: 0 });
    const run = server.run('r1')!;
    expect(run.history.map((row) => row['_step'])).toEqual([1, 2, 3]);
    expect(run.history[1]!['a']).toBeNaN();
    expect(run.rewrittenLines).toBe(1);
    expect(run.summary).toEqual({ a: -Infinity, _step: 3 });
    expect([run.complete, run.exitcode, run.fileStreamRequests]).toEqual([true, 0, 4]);
    expect((await stream('unknown', {})).status).toBe(404);
  });
});

describe('startLocalWandb: uploads', () => {
  it('hands out upload URLs on itself that take a PUT carrying the upload header', async () => {
    server = await startLocalWandb();
    await gql(UPSERT, { name: 'r2', project: 'proj' });
    const created = await gql(CREATE_FILES, { entity: 'local-user', project: 'proj', run: 'r2', files: ['media/images/a.png'] });
    const answer = (created.json['data'] as { createRunFiles: { uploadHeaders: string[]; files: Array<{ name: string; uploadUrl: string }> } }).createRunFiles;
    expect(answer.files.map((f) => f.name)).toEqual(['media/images/a.png']);
    const url = answer.files[0]!.uploadUrl;
    expect(url.startsWith(`${server.url}/`)).toBe(true);
    const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
    expect((await fetch(url, { method: 'PUT', body: bytes })).status).toBe(403);
    const [name, value] = answer.uploadHeaders[0]!.split(':') as [string, string];
    expect((await fetch(url, { method: 'PUT', body: bytes, headers: { [name]: value } })).status).toBe(200);
    expect(server.run('r2')!.files.get('media/images/a.png')).toEqual(bytes);
    expect((await fetch(`${server.url}/__upload/unknown`, { method: 'PUT', body: bytes })).status).toBe(404);
    const noRun = await gql(CREATE_FILES, { entity: 'local-user', project: 'proj', run: 'nope', files: ['x'] });
    expect(JSON.stringify(noRun.json)).toContain('not found');
  });
});

describe('startLocalWandb: faults', () => {
  it('fails, delays or resets matching requests, and refuses connections until accept()', async () => {
    server = await startLocalWandb();
    server.failNext({ operation: 'Viewer', status: 503 });
    expect((await gql(VIEWER)).status).toBe(503);
    expect((await gql(VIEWER)).status).toBe(200);
    server.failNext({ operation: 'Viewer', resetConnection: true });
    await expect(gql(VIEWER)).rejects.toThrow();
    server.setDelay(300);
    const started = performance.now();
    await gql(VIEWER);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    server.setDelay(0);
    await server.refuse();
    // why: the first request may go out on a pooled keep-alive socket the server just closed (a socket error, not a refusal).
    await fetch(`${server.url}/graphql`, { method: 'POST' }).catch(() => undefined);
    const refused = await fetch(`${server.url}/graphql`, { method: 'POST' }).catch((error: Error) => error);
    expect(refused).toBeInstanceOf(Error);
    expect(String((refused as Error & { cause?: { code?: string } }).cause?.code)).toBe('ECONNREFUSED');
    await server.accept();
    expect((await gql(VIEWER)).status).toBe(200);
  });
});

describe('parseExtendedJson', () => {
  it('reads NaN and ±Infinity tokens as numbers and leaves strings alone', () => {
    const value = parseExtendedJson('{"a":NaN,"b":[Infinity,-Infinity],"c":"NaN \\"Infinity\\"","d":-1.5e3}') as Record<string, unknown>;
    expect(value['a']).toBeNaN();
    expect(value['b']).toEqual([Infinity, -Infinity]);
    expect(value['c']).toBe('NaN "Infinity"');
    expect(value['d']).toBe(-1500);
    expect(() => parseExtendedJson('{"a":nan}')).toThrow();
  });
});
