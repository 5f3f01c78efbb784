import { parseExtendedJson } from './parseExtendedJson.js';
import type { LocalWandbRun } from './types.js';

const HISTORY = 'wandb-history.jsonl';
const SUMMARY = 'wandb-summary.json';

/** The outcome of one file_stream body: a status and a JSON answer. */
export interface FileStreamAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Applies one file_stream request (`{ files: { name: { offset, content[] } }, uploaded?, complete?, exitcode? }`,
 * wandb core's FileStreamRequestJSON) to a run. Lines land at `offset + i`, so a resend of lines the server already
 * has overwrites them (counted in `rewrittenLines`); an offset past the end would leave a hole and is refused (400).
 * The summary is the last line of `wandb-summary.json`'s content.
 */
export function applyFileStream(run: LocalWandbRun, body: unknown): FileStreamAnswer {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return refuse('the body must be a JSON object');
  const request = body as { files?: unknown; uploaded?: unknown; complete?: unknown; exitcode?: unknown };
  run.fileStreamRequests += 1;
  const files = request.files ?? {};
  if (typeof files !== 'object' || files === null || Array.isArray(files)) return refuse('files must be an object');
  for (const [name, chunk] of Object.entries(files as Record<string, unknown>)) {
    const { offset, content } = (chunk ?? {}) as { offset?: unknown; content?: unknown };
    if (!Number.isInteger(offset) || (offset as number) < 0 || !Array.isArray(content) || content.some((line) => typeof line !== 'string')) {
      return refuse(`files["${name}"] must be { offset: a non-negative integer, content: an array of strings }`);
    }
    const lines = content as string[];
    if (name === SUMMARY) {
      if (lines.length > 0) run.summary = parseExtendedJson(lines[lines.length - 1] as string) as Record<string, unknown>;
      continue;
    }
    const target = name === HISTORY ? run.historyLines : streamOf(run, name);
    if ((offset as number) > target.length) return refuse(`files["${name}"].offset ${String(offset)} is past the end of the file (${target.length} lines)`);
    lines.forEach((line, i) => {
      const at = (offset as number) + i;
      if (at < target.length) {
        if (name === HISTORY) run.rewrittenLines += 1;
        target[at] = line;
      } else {
        target.push(line);
      }
    });
    if (name === HISTORY) run.history.splice(0, run.history.length, ...run.historyLines.map((line) => parseExtendedJson(line) as Record<string, unknown>));
  }
  if (Array.isArray(request.uploaded)) for (const name of request.uploaded) run.uploaded.add(String(name));
  if (request.complete === true) {
    run.complete = true;
    run.exitcode = typeof request.exitcode === 'number' ? request.exitcode : undefined;
  }
  return { status: 200, body: { exitcode: null, limits: {} } };
}

function streamOf(run: LocalWandbRun, name: string): string[] {
  let lines = run.streams.get(name);
  if (!lines) run.streams.set(name, (lines = []));
  return lines;
}

function refuse(message: string): FileStreamAnswer {
  return { status: 400, body: { error: message } };
}
