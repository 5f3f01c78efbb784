import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

// why: config, tokenizer and small weight files are hashed whole; large weight files by size and modification time,
// so a fine-tuned encoder saved over the same folder changes the identity without re-reading gigabytes every run.
const HASH_LIMIT_BYTES = 8 * 2 ** 20;

/**
 * What identifies the contents of a local model folder for cache keys: every file directly in it, by name, as the
 * sha256 of its bytes (files up to 8 MiB) or `size:<bytes>,mtime:<ms>` (larger files).
 */
export async function folderFingerprint(folder: string): Promise<Record<string, string>> {
  const entries = (await readdir(folder, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name).sort();
  const fingerprint: Record<string, string> = {};
  for (const name of entries) {
    const path = join(folder, name);
    const info = await stat(path);
    fingerprint[name] = info.size <= HASH_LIMIT_BYTES ? `sha256:${createHash('sha256').update(await readFile(path)).digest('hex')}` : `size:${info.size},mtime:${Math.round(info.mtimeMs)}`;
  }
  return fingerprint;
}
