import { commitIter, type CommitOutput } from '@huggingface/hub';
import { ErrorCode, SdxlError, isSdxlError } from '@sdxl-trainer/errors';
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { collectFolderFiles } from './collectFolderFiles.js';
import { createRepo, requireToken } from './createRepo.js';
import { checkedFetch } from './hubFetch.js';
import { hubSettings, type HubSettingsOptions } from './hubSettings.js';
import { parseRepoId } from './parseRepoId.js';
import type { RepoType } from './RepoType.js';

/** Upload progress: a phase change, or how far one file is (hashing, then uploading), from 0 to 1. */
export type UploadProgress =
  | { readonly kind: 'phase'; readonly phase: 'preuploading' | 'uploadingLargeFiles' | 'committing' }
  | { readonly kind: 'file'; readonly path: string; readonly state: 'hashing' | 'uploading'; readonly progress: number };

/** How {@link uploadFolder} uploads. */
export interface UploadFolderOptions extends HubSettingsOptions {
  readonly type?: RepoType | undefined;
  /** Create the repo first if it does not exist (default true), with this visibility. */
  readonly create?: boolean | undefined;
  readonly private?: boolean | undefined;
  readonly commitMessage?: string | undefined;
  readonly commitDescription?: string | undefined;
  /** Branch to commit to. Default `main`. */
  readonly revision?: string | undefined;
  /** Folder in the repo to put the files under. Default the repo root. */
  readonly pathInRepo?: string | undefined;
  readonly allowPatterns?: readonly string[] | undefined;
  readonly ignorePatterns?: readonly string[] | undefined;
  /**
   * Upload large files with the Xet protocol. Default false: plain LFS (preupload, LFS batch, PUT, commit) works
   * with every Hub-compatible server, streams each file from disk and needs no WebAssembly chunker.
   */
  readonly useXet?: boolean | undefined;
  readonly onProgress?: ((progress: UploadProgress) => void) | undefined;
  readonly fetch?: typeof fetch | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** The commit made and the repo paths it wrote. */
export interface UploadResult {
  readonly commit: string;
  readonly commitUrl: string;
  readonly files: string[];
}

/**
 * Uploads the CONTENTS of `folder` to `repoId` in one commit (`--push_to_hub` at the end of training): each file at
 * `<pathInRepo>/<path relative to folder>`, large files through LFS. Files are read from disk lazily, never whole
 * into memory, except small ones the commit carries inline.
 */
export async function uploadFolder(repoId: string, folder: string, options: UploadFolderOptions = {}): Promise<UploadResult> {
  parseRepoId(repoId);
  const settings = hubSettings(options);
  const type = options.type ?? 'model';
  requireToken(settings, `upload to ${type} "${repoId}"`);
  if (!(await stat(folder).catch(() => undefined))?.isDirectory()) {
    throw new SdxlError(ErrorCode.FILE_NOT_FOUND, `uploadFolder: ${folder} is not a folder.`, { details: { file: folder } });
  }
  const found = await collectFolderFiles(folder, options.allowPatterns, options.ignorePatterns);
  if (found.length === 0) {
    throw new SdxlError(ErrorCode.HUB_UPLOAD_FAILED, `uploadFolder: ${folder} has no files to upload (after the ignore patterns).`, {
      details: { folder },
    });
  }
  if (options.create ?? true) await createRepo(repoId, { ...options, existOk: true });
  const base = (options.pathInRepo ?? '').replace(/^\/+|\/+$/g, '');
  const files = await Promise.all(
    found.map(async (file) => ({ path: base === '' ? file.relativePath : `${base}/${file.relativePath}`, content: await openAsBlob(file.absolutePath) })),
  );
  const revision = options.revision ?? 'main';
  const context = { endpoint: settings.endpoint, repoId, type, revision };
  // why: commitIter rather than uploadFiles: it takes our fetch (token, error mapping) and reports progress.
  const iterator = commitIter({
    repo: { type, name: repoId },
    operations: files.map(({ path, content }) => ({ operation: 'addOrUpdate' as const, path, content })),
    title: options.commitMessage ?? `Upload ${files.length} files with sdxl-trainer`,
    ...(options.commitDescription === undefined ? {} : { description: options.commitDescription }),
    branch: revision,
    hubUrl: settings.endpoint,
    fetch: checkedFetch(settings, context, options.fetch),
    useXet: options.useXet ?? false,
    ...(options.signal === undefined ? {} : { abortSignal: options.signal }),
  });
  let output: CommitOutput | undefined;
  try {
    for (let step = await iterator.next(); ; step = await iterator.next()) {
      if (step.done === true) {
        output = step.value;
        break;
      }
      const event = step.value;
      if (event.event === 'phase') options.onProgress?.({ kind: 'phase', phase: event.phase });
      else if (event.state !== 'error') options.onProgress?.({ kind: 'file', path: event.path, state: event.state, progress: event.progress });
    }
  } catch (error) {
    if (isSdxlError(error)) throw error;
    throw new SdxlError(ErrorCode.HUB_UPLOAD_FAILED, `Upload of ${folder} to ${type} "${repoId}" failed: ${(error as Error).message}`, {
      details: { repo: repoId, folder },
      cause: error,
    });
  }
  if (output === undefined) {
    throw new SdxlError(ErrorCode.HUB_UPLOAD_FAILED, `Upload of ${folder} to ${type} "${repoId}" returned no commit.`, { details: { repo: repoId } });
  }
  return { commit: output.commit.oid, commitUrl: output.commit.url, files: files.map((f) => f.path) };
}
