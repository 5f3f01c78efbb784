import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { RepoFileInfo } from './RepoFileInfo.js';

/** A running checksum of a file's bytes against the id the Hub lists for it. */
export interface ContentHash {
  update(bytes: Uint8Array): void;
  /** Feeds the first `length` bytes of a file on disk (the part of a resumed download already there). */
  updateFromFile(path: string, length: number): Promise<void>;
  /** The expected id, and the id of the bytes fed so far. */
  readonly expected: string;
  digest(): string;
}

/**
 * The checksum that proves a downloaded file complete: sha256 of the content for LFS files (their `lfs.oid`),
 * otherwise the git blob id, SHA-1 of `blob <size>\0` + content (their `oid`).
 */
export function contentHash(file: RepoFileInfo): ContentHash {
  let hash: Hash;
  if (file.lfsSha256 !== undefined) hash = createHash('sha256');
  else hash = createHash('sha1').update(`blob ${file.size}\0`);
  return {
    expected: file.lfsSha256 ?? file.blobId,
    update: (bytes) => {
      hash.update(bytes);
    },
    updateFromFile: async (path, length) => {
      if (length <= 0) return;
      for await (const chunk of createReadStream(path, { start: 0, end: length - 1 })) hash.update(chunk as Buffer);
    },
    digest: () => hash.copy().digest('hex'),
  };
}
