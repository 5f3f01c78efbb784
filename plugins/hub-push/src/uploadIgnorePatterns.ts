/** The script's `upload_folder(..., ignore_patterns=["step_*", "epoch_*"])` in train_text_to_image_sdxl.py. */
export const SCRIPT_IGNORE_PATTERNS = ['step_*', 'epoch_*'] as const;

/**
 * Files our packages leave only while writing, or after a crash: `<name>.tmp-<hex>` (safetensors, models, the
 * checkpointing plugin's `checkpoint-<n>.tmp-<hex>/`), `*.tmp` (PNG, cache and card writers), `*.incomplete`
 * (hub downloads) and `checkpoint-<n>.old-<hex>/` (a checkpoint moved aside by a re-save).
 */
export const TEMPORARY_PATTERNS = ['*.tmp', '*.tmp-*', '*.incomplete', 'checkpoint-*.old-*'] as const;

/** The `checkpoint-<step>/` folders of the checkpointing plugin (uploaded by the script, not by default here). */
export const CHECKPOINT_PATTERNS = ['checkpoint-*'] as const;

/**
 * fnmatch patterns (huggingface_hub's rules: `*` crosses `/`, matched against the path relative to the output folder)
 * of what a push leaves out: the script's `step_*` / `epoch_*`, temporary files, `checkpoint-*` unless
 * `pushCheckpoints`, and the caller's own patterns.
 */
export function uploadIgnorePatterns(options: { readonly pushCheckpoints?: boolean | undefined; readonly extra?: readonly string[] | undefined } = {}): string[] {
  return [...SCRIPT_IGNORE_PATTERNS, ...TEMPORARY_PATTERNS, ...(options.pushCheckpoints === true ? [] : CHECKPOINT_PATTERNS), ...(options.extra ?? [])];
}
