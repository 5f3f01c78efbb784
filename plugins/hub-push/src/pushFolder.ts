import { ErrorCode, SdxlError, isSdxlError } from '@sdxl-trainer/errors';
import { hubSettings, uploadFolder, type UploadProgress } from '@sdxl-trainer/hub';
import { resolveRepoId } from './resolveRepoId.js';
import { retryTransient } from './retryTransient.js';
import { uploadIgnorePatterns } from './uploadIgnorePatterns.js';

/** How {@link pushFolder} pushes. */
export interface PushFolderOptions {
  /** `namespace/name`, or a bare `name` under the token's user. */
  readonly repoId: string;
  /** Default HF_TOKEN, HUGGING_FACE_HUB_TOKEN, then the `huggingface-cli login` file. */
  readonly token?: string | undefined;
  /** Default HF_ENDPOINT, else https://huggingface.co. */
  readonly endpoint?: string | undefined;
  /** Environment to read instead of `process.env`. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Visibility if the repo has to be created. */
  readonly private?: boolean | undefined;
  /** Default "End of training", the script's. */
  readonly commitMessage?: string | undefined;
  readonly commitDescription?: string | undefined;
  /** Upload `checkpoint-*` folders too. Default false. */
  readonly pushCheckpoints?: boolean | undefined;
  /** Patterns to leave out besides {@link uploadIgnorePatterns}' defaults. */
  readonly ignorePatterns?: readonly string[] | undefined;
  /** Attempts after the first on network faults and 5xx/429. Default 3. */
  readonly retries?: number | undefined;
  /** Wait before the first retry, doubled each time. Default 2000 ms. */
  readonly retryDelayMs?: number | undefined;
  readonly onProgress?: ((progress: UploadProgress) => void) | undefined;
  /** Called before each retry: the failed attempt (1-based), why, and the wait. */
  readonly onRetry?: ((attempt: number, error: unknown, delayMs: number) => void) | undefined;
  readonly fetch?: typeof fetch | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** What {@link pushFolder} committed. */
export interface PushResult {
  readonly repoId: string;
  /** The repo's web page. */
  readonly url: string;
  readonly commit: string;
  readonly commitUrl: string;
  /** Repo paths the commit wrote. */
  readonly files: readonly string[];
  /** Upload attempts it took (1 when nothing failed). */
  readonly attempts: number;
}

/**
 * Pushes the CONTENTS of a run's output folder to the root of a Hub model repo in one commit, as the script's
 * `upload_folder(output_dir, commit_message="End of training", ignore_patterns=["step_*", "epoch_*"])`, leaving out
 * temporary files and (unless `pushCheckpoints`) `checkpoint-*`. Creates the repo if needed. Large files go through
 * LFS; a network fault or 5xx retries the whole upload, and the LFS batch API then skips the objects the Hub
 * already has, so only what was missing is sent again. The same holds for calling it again after it failed.
 */
export async function pushFolder(folder: string, options: PushFolderOptions): Promise<PushResult> {
  const settings = hubSettings(options);
  let repoId = options.repoId;
  let attempts = 0;
  try {
    repoId = await resolveRepoId(options.repoId, settings, options.fetch);
    const { value } = await retryTransient(
      (attempt) => {
        attempts = attempt;
        return uploadFolder(repoId, folder, {
          token: settings.token,
          endpoint: settings.endpoint,
          env: options.env,
          private: options.private,
          commitMessage: options.commitMessage ?? 'End of training',
          commitDescription: options.commitDescription,
          ignorePatterns: uploadIgnorePatterns({ pushCheckpoints: options.pushCheckpoints, extra: options.ignorePatterns }),
          onProgress: options.onProgress,
          fetch: options.fetch,
          signal: options.signal,
        });
      },
      { retries: options.retries ?? 3, delayMs: options.retryDelayMs ?? 2000, signal: options.signal, onRetry: options.onRetry },
    );
    return { repoId, url: `${settings.endpoint}/${repoId}`, commit: value.commit, commitUrl: value.commitUrl, files: value.files, attempts };
  } catch (error) {
    throw pushFailed(error, folder, repoId, attempts);
  }
}

/** The call that pushes `folder` again, for error messages and logs. */
export function retryHint(folder: string, repoId: string): string {
  return `pushFolder(${JSON.stringify(folder)}, { repoId: ${JSON.stringify(repoId)} }) from @sdxl-trainer/plugin-hub-push`;
}

function pushFailed(error: unknown, folder: string, repoId: string, attempts: number): SdxlError {
  const reason = error instanceof Error ? error.message : String(error);
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  return new SdxlError(
    ErrorCode.HUB_UPLOAD_FAILED,
    `Pushing ${folder} to the Hub repo "${repoId}" failed${tries}: ${reason}\n` +
      `The output folder is intact and the repo has no partial commit. Fix the cause, then push again with ` +
      `${retryHint(folder, repoId)}; large files the Hub already received are not sent again.`,
    { details: { repo: repoId, folder, attempts, reason: isSdxlError(error) ? error.code : undefined }, cause: error },
  );
}
