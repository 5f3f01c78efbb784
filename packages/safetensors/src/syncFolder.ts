import { open, type FileHandle } from 'node:fs/promises';

/**
 * fsync a folder so renames and new entries in it are durable. Best effort: Windows cannot open a folder for
 * fsync, and there a rename is already as durable as the platform makes it.
 */
export async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // Best effort (see above).
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
