import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { syncFolder } from '@sdxl-trainer/safetensors';

const TEMPORARY = /^(checkpoint-\d+)\.tmp-[0-9a-f]+$/;
const ASIDE = /^(checkpoint-\d+)\.old-[0-9a-f]+$/;

/** What {@link recoverLeftovers} did. */
export interface LeftoverReport {
  /** Half-written folders removed. */
  readonly removed: readonly string[];
  /** Checkpoints moved aside by an interrupted re-save and put back. */
  readonly recovered: readonly string[];
}

/**
 * Clean up after a save that was interrupted (a crash, a kill): `checkpoint-<n>.tmp-*` folders are removed; a
 * `checkpoint-<n>.old-*` folder is renamed back to `checkpoint-<n>` if that is missing, and removed otherwise.
 */
export async function recoverLeftovers(outputDir: string): Promise<LeftoverReport> {
  const entries = await readdir(outputDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const names = new Set(entries.map((entry) => entry.name));
  const removed: string[] = [];
  const recovered: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const temporary = TEMPORARY.exec(entry.name);
    const aside = ASIDE.exec(entry.name);
    if (temporary) {
      await rm(join(outputDir, entry.name), { recursive: true, force: true });
      removed.push(entry.name);
    } else if (aside && !names.has(aside[1]!)) {
      await rename(join(outputDir, entry.name), join(outputDir, aside[1]!));
      names.add(aside[1]!);
      recovered.push(aside[1]!);
    } else if (aside) {
      await rm(join(outputDir, entry.name), { recursive: true, force: true });
      removed.push(entry.name);
    }
  }
  if (removed.length + recovered.length > 0) await syncFolder(outputDir);
  return { removed, recovered };
}
