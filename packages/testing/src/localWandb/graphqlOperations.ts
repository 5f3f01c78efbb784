import type { WandbStore } from './WandbStore.js';

/** What a GraphQL operation handler needs. */
export interface GraphqlContext {
  readonly store: WandbStore;
  readonly baseUrl: string;
  readonly entity: string;
}

/** A GraphQL answer: HTTP status and JSON body. */
export interface GraphqlAnswer {
  readonly status: number;
  readonly body: unknown;
}

type Variables = Readonly<Record<string, unknown>>;

interface Operation {
  /** Fragments the document must contain (whitespace-insensitive), as the wandb SDK's documents do. */
  readonly shape: readonly RegExp[];
  readonly answer: (variables: Variables, context: GraphqlContext) => GraphqlAnswer;
}

// why: the server checks the parts of each document that carry meaning (argument mapping, e.g. project → modelName),
// so a client whose document drifts from wandb's gets a 400 here, as a schema-validating server would answer.
const OPERATIONS: Readonly<Record<string, Operation>> = {
  Viewer: {
    shape: [/^query Viewer\b/, /viewer\{[^}]*\bentity\b/],
    answer: (_variables, { entity }) => data({ viewer: { id: b64(`User:${entity}`), entity, username: entity, email: `${entity}@localhost`, flags: '{}', teams: { edges: [] } } }),
  },
  UpsertBucket: {
    shape: [
      /^mutation UpsertBucket\(/,
      /\$config:JSONString/,
      /upsertBucket\(input:\{/,
      /name:\$name/,
      /modelName:\$project/,
      /entityName:\$entity/,
      /config:\$config/,
      /bucket\{[^]*\bname\b[^]*project\{[^]*entity\{/,
    ],
    answer: upsertBucket,
  },
  RunResumeStatus: {
    shape: [/^query RunResumeStatus\(/, /model\(name:\$project,entityName:\$entity\)/, /bucket\(name:\$name,missingOk:true\)/, /historyLineCount/],
    answer: (variables, { store, entity }) => {
      const ownerEntity = str(variables['entity']) ?? entity;
      const project = str(variables['project']) ?? 'uncategorized';
      const run = store.find(ownerEntity, project, str(variables['name']) ?? '');
      const bucket = run && {
        id: runId(run.entity, run.project, run.name),
        name: run.name,
        displayName: run.displayName ?? null,
        historyLineCount: run.historyLines.length,
        summaryMetrics: JSON.stringify(run.summary ?? {}),
        config: JSON.stringify(run.config ?? {}),
        tags: run.tags,
        notes: run.notes ?? null,
      };
      return data({ model: { id: b64(`Project:v1:${project}:${ownerEntity}`), name: project, entity: { id: b64(`Entity:${ownerEntity}`), name: ownerEntity }, bucket: bucket ?? null } });
    },
  },
  CreateRunFiles: {
    shape: [/^mutation CreateRunFiles\(/, /\$files:\[String!\]!/, /createRunFiles\(input:\{entityName:\$entity,projectName:\$project,runName:\$run,files:\$files\}\)/, /uploadUrl/],
    answer: (variables, { store, baseUrl }) => {
      const run = store.find(str(variables['entity']) ?? '', str(variables['project']) ?? '', str(variables['run']) ?? '');
      if (!run) return error(`run ${String(variables['entity'])}/${String(variables['project'])}/${String(variables['run'])} not found`);
      const names = variables['files'];
      if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) return error('files must be a list of strings', 400);
      const files = (names as string[]).map((name) => ({ name, uploadUrl: `${baseUrl}/__upload/${store.issueUpload(run, name)}` }));
      return data({ createRunFiles: { runID: runId(run.entity, run.project, run.name), uploadHeaders: [`${UPLOAD_HEADER}:1`], files } });
    },
  },
};

/** The header every upload must carry: CreateRunFiles hands it out in `uploadHeaders` ("Name:Value"). */
export const UPLOAD_HEADER = 'X-Local-Wandb-Upload';

/** The operation name of a request body (its `operationName`, else the first `query|mutation Name`). */
export function operationName(body: { query?: unknown; operationName?: unknown }): string | undefined {
  if (typeof body.operationName === 'string' && body.operationName !== '') return body.operationName;
  return typeof body.query === 'string' ? /\b(?:query|mutation)\s+(\w+)/.exec(body.query)?.[1] : undefined;
}

/** Answers one GraphQL request body. */
export function answerGraphql(body: { query?: unknown; variables?: unknown; operationName?: unknown }, context: GraphqlContext): GraphqlAnswer {
  const name = operationName(body);
  const operation = name === undefined ? undefined : OPERATIONS[name];
  if (operation === undefined || typeof body.query !== 'string') return error(`local W&B: unknown operation ${JSON.stringify(name)}`, 400);
  const compact = body.query.replace(/#[^\n]*/g, '').replace(/[\s,]+/g, (m) => (m.includes(',') ? ',' : ' ')).replace(/ ?([(){}:[\]!,$]) ?/g, '$1').trim();
  const missing = operation.shape.find((pattern) => !pattern.test(compact));
  if (missing) return error(`local W&B: the ${name} document does not match wandb's (${missing.source})`, 400);
  const variables = body.variables === undefined || body.variables === null ? {} : body.variables;
  if (typeof variables !== 'object' || Array.isArray(variables)) return error('variables must be an object', 400);
  return operation.answer(variables as Variables, context);
}

function upsertBucket(variables: Variables, { store, entity }: GraphqlContext): GraphqlAnswer {
  const config = variables['config'];
  if (config !== undefined && config !== null && typeof config !== 'string') return error('Variable "$config" got a non-string value; expected JSONString', 400);
  const summary = variables['summaryMetrics'];
  if (summary !== undefined && summary !== null && typeof summary !== 'string') return error('Variable "$summaryMetrics" expected JSONString', 400);
  const ownerEntity = str(variables['entity']) ?? entity;
  const project = str(variables['project']) ?? 'uncategorized';
  const { run, inserted } = store.upsert(ownerEntity, project, str(variables['name']) ?? Math.random().toString(36).slice(2, 10));
  run.upserts += 1;
  if (typeof config === 'string') run.config = JSON.parse(config) as Record<string, unknown>;
  if (typeof summary === 'string') run.summary = JSON.parse(summary) as Record<string, unknown>;
  if (str(variables['displayName']) !== undefined) run.displayName = str(variables['displayName']);
  if (str(variables['notes']) !== undefined) run.notes = str(variables['notes']);
  if (Array.isArray(variables['tags'])) run.tags = (variables['tags'] as unknown[]).map(String);
  return data({
    upsertBucket: {
      bucket: {
        id: runId(run.entity, run.project, run.name),
        name: run.name,
        displayName: run.displayName ?? run.name,
        description: run.notes ?? null,
        config: JSON.stringify(run.config ?? {}),
        sweepName: null,
        project: { id: b64(`Project:v1:${project}:${ownerEntity}`), name: project, entity: { id: b64(`Entity:${ownerEntity}`), name: ownerEntity } },
        historyLineCount: run.historyLines.length,
      },
      inserted,
    },
  });
}

function data(value: unknown): GraphqlAnswer {
  return { status: 200, body: { data: value } };
}

function error(message: string, status = 200): GraphqlAnswer {
  return { status, body: { errors: [{ message }], data: null } };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}

function runId(entity: string, project: string, name: string): string {
  return b64(`Run:v1:${name}:${project}:${entity}`);
}
