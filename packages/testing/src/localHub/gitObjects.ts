import { createHash } from 'node:crypto';

/** Hex SHA-256 of `bytes` (the oid of an LFS object). */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Git blob id: SHA-1 of `blob <size>\0` followed by the content (what the Hub reports as a file's `oid`). */
export function gitBlobOid(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

/** The Git LFS pointer file git stores in place of a large file (git-lfs spec v1). */
export function lfsPointer(sha256: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
}
