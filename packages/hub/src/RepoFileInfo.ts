/**
 * One file of a commit with what is needed to fetch and check it: the fields of huggingface_hub's tree cache
 * entry (`_tree_cache.py` TreeCacheEntry) in camelCase.
 */
export interface RepoFileInfo {
  readonly path: string;
  readonly size: number;
  /** Git blob id (of the LFS pointer for LFS files). */
  readonly blobId: string;
  /** sha256 of the content, for LFS files. */
  readonly lfsSha256?: string | undefined;
  readonly lfsSize?: number | undefined;
  readonly xetHash?: string | undefined;
}

/** The blob name in the cache: huggingface_hub names blobs after the ETag, the sha256 for LFS files, else the git id. */
export function blobEtag(file: RepoFileInfo): string {
  return file.lfsSha256 ?? file.blobId;
}
