import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncFolder } from './syncFolder.js';

// why: one write() call moves at most ~2 GiB on some platforms and may write fewer bytes than asked.
const MAX_WRITE_BYTES = 1 << 30;

/** Appends-at-position helper handed to the body of {@link writeFileAtomically}. */
export interface PositionedWriter {
  /** Writes all of `bytes` at `position`. */
  write(bytes: Uint8Array, position: number): Promise<void>;
}

/**
 * Writes `path` all-or-nothing: the body writes `<path>.tmp-<random>` in the same folder, which is then fsynced and
 * renamed over `path`. If anything fails the temporary file is removed and `path` keeps its previous content.
 */
export async function writeFileAtomically(path: string, body: (writer: PositionedWriter) => Promise<void>): Promise<void> {
  const temporary = join(dirname(path), `${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
  const handle = await open(temporary, 'wx');
  let closed = false;
  try {
    await body({ write: (bytes, position) => writeAll(handle, bytes, position) });
    await handle.sync();
    closed = true;
    await handle.close();
    await rename(temporary, path);
  } catch (error) {
    if (!closed) await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(dirname(path));
}

async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, done, Math.min(MAX_WRITE_BYTES, bytes.byteLength - done), position + done);
    done += bytesWritten;
  }
}
