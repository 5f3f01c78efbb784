import { readdir } from 'node:fs/promises';

/** A `checkpoint-<step>` folder. */
export interface CheckpointFolder {
  readonly name: string;
  readonly step: number;
}

const CHECKPOINT = /^checkpoint-(\d+)$/;

/** The name of the checkpoint folder of a step. */
export function checkpointName(step: number): string {
  return `checkpoint-${step}`;
}

/**
 * The `checkpoint-<int>` folders of `outputDir`, oldest (lowest step) first; nothing when the folder does not exist.
 * why: only exact names count — the script's `startswith("checkpoint")` would also pick up temporary folders.
 */
export async function listCheckpoints(outputDir: string): Promise<CheckpointFolder[]> {
  const entries = await readdir(outputDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const match = CHECKPOINT.exec(entry.name);
      return match ? [{ name: entry.name, step: Number(match[1]) }] : [];
    })
    .sort((a, b) => a.step - b.step);
}

/**
 * Which checkpoints `--checkpoints_total_limit` removes when one more is saved, as the script computes it: if there
 * are `count >= limit` checkpoints, the oldest `count - limit + 1`.
 */
export function checkpointsToRemove(existing: readonly CheckpointFolder[], limit: number | undefined): CheckpointFolder[] {
  if (limit === undefined || existing.length < limit) return [];
  return existing.slice(0, existing.length - limit + 1);
}
