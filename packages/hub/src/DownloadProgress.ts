/** Progress of one file download: bytes on disk so far (resumed bytes included) out of the file size. */
export interface DownloadProgress {
  readonly repoId: string;
  readonly path: string;
  readonly downloaded: number;
  readonly total: number;
  /** True on the last event of a file, once it is verified and in place. */
  readonly done: boolean;
}
