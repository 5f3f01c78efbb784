import { parseArgs } from 'node:util';
import { findRunFolders, syncOfflineRun, type SyncResult } from '@sdxl-trainer/plugin-wandb';
import { formatError } from './formatError.js';

/** Where `sdxl-train wandb-sync` writes, and the environment it reads (WANDB_API_KEY, WANDB_BASE_URL, WANDB_ENTITY, NETRC, HOME). */
export interface WandbSyncIo {
  readonly stdout: { write(text: string): void };
  readonly stderr: { write(text: string): void };
  /** Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
}

/** The help of `sdxl-train wandb-sync`. */
export const WANDB_SYNC_USAGE = [
  'Usage: sdxl-train wandb-sync <dir>... [--project <name>] [--entity <name>]',
  '',
  'Upload W&B runs written by @sdxl-trainer/plugin-wandb: offline runs (WANDB_MODE=offline), and online runs whose',
  'rows did not all reach the server. <dir> is a run folder (wandb/offline-run-<time>-<id>), a wandb/ folder, or an',
  'output folder holding wandb/ (then every run in it). Only what the server has not acknowledged is sent, so running',
  'it again is safe.',
  '',
  '  --project <name>  project for a run not yet on the server (default: the run\'s own)',
  '  --entity <name>   user or team for a run not yet on the server (default: the run\'s, WANDB_ENTITY, your default)',
  '',
  'The server is WANDB_BASE_URL (default https://api.wandb.ai); the API key WANDB_API_KEY, else ~/.netrc (`wandb login`).',
].join('\n');

/** Runs `sdxl-train wandb-sync <args>`; resolves with the exit code (0 all synced, 1 a run failed, 2 bad command line). */
export async function wandbSyncCommand(argv: readonly string[], io: WandbSyncIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr.write(`sdxl-train wandb-sync: ${error instanceof Error ? error.message : String(error)}\n${WANDB_SYNC_USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`${WANDB_SYNC_USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) {
    io.stderr.write(`sdxl-train wandb-sync: which run? give a run folder, a wandb/ folder or an output folder\n${WANDB_SYNC_USAGE}\n`);
    return 2;
  }
  let failed = 0;
  for (const path of positionals) {
    const folders = await findRunFolders(path);
    if (folders.length === 0) {
      io.stderr.write(`sdxl-train wandb-sync: no W&B run folder in ${path} (looked for manifest.json, run-*/ and offline-run-*/, and wandb/)\n`);
      failed += 1;
      continue;
    }
    for (const dir of folders) {
      try {
        io.stdout.write(`${describe(await syncOfflineRun(dir, { project: values.project, entity: values.entity, env: io.env ?? process.env }))}\n`);
      } catch (error) {
        io.stderr.write(`${dir}: ${formatError(error)}\n`);
        failed += 1;
      }
    }
  }
  return failed > 0 ? 1 : 0;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: { project: { type: 'string' }, entity: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
}

function describe(result: SyncResult): string {
  if (result.alreadySynced) return `${result.dir}: already synced → ${result.url}`;
  const parts = [
    `${result.historyRowsSent} history row${result.historyRowsSent === 1 ? '' : 's'}`,
    `${result.filesUploaded} media file${result.filesUploaded === 1 ? '' : 's'}`,
    ...(result.summarySent ? ['summary'] : []),
    ...(result.completed ? ['finished'] : []),
  ];
  return `${result.dir}: sent ${parts.join(', ')} → ${result.url}`;
}
