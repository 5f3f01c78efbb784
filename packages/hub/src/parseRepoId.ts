import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

// why: huggingface_hub's `validate_repo_id` (utils/_validators.py): an optional namespace and a name made of
// letters, digits, `-`, `_`, `.`, neither starting nor ending with `-` or `.`, at most 96 characters, no `--`/`..`.
const PART = '[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?';
const REPO_ID = new RegExp(`^(?:${PART}/)?${PART}$`);

/** Whether `value` has the shape of a Hub repo id (`org/name` or `name`). */
export function isRepoId(value: string): boolean {
  return value.length <= 96 && REPO_ID.test(value) && !value.includes('--') && !value.includes('..');
}

/** Returns `value` when it is a valid repo id, else throws HUB_INVALID_REPO_ID saying what was expected. */
export function parseRepoId(value: string): string {
  if (!isRepoId(value)) {
    throw new SdxlError(
      ErrorCode.HUB_INVALID_REPO_ID,
      `"${value}" is neither an existing local path nor a Hub repo id: expected "org/name" (letters, digits, ` +
        `"-", "_", "."; no "--" or ".."; at most 96 characters) or a folder that exists.`,
      { details: { value } },
    );
  }
  return value;
}
