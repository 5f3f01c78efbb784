import { copyFile, mkdir, rm, symlink } from 'node:fs/promises';
import { dirname, relative } from 'node:path';

/**
 * Points `snapshots/<commit>/<path>` at its blob with a relative symlink (`../../blobs/<etag>`, one more `../` per
 * folder level), as huggingface_hub's `_create_symlink` does, so a cache folder can be moved. Where symlinks are not
 * allowed (Windows without developer mode) the blob is copied instead, as huggingface_hub also does.
 */
export async function linkSnapshotFile(blobPath: string, pointerPath: string): Promise<void> {
  await mkdir(dirname(pointerPath), { recursive: true });
  await rm(pointerPath, { force: true });
  try {
    await symlink(relative(dirname(pointerPath), blobPath), pointerPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    await copyFile(blobPath, pointerPath);
  }
}
