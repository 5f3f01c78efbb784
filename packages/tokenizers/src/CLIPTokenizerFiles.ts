import { SdxlError, ErrorCode } from '@sdxl-trainer/errors';

/**
 * The contents of a tokenizer folder as saved by transformers: JSON files already parsed (validated later,
 * field by field), merges.txt as text. `vocab` and `merges` may be left out when `tokenizerJson` holds a BPE model.
 */
export interface CLIPTokenizerFiles {
  /** Where the files came from, for error messages (a folder path). */
  readonly source?: string;
  /** vocab.json: token -> id. */
  readonly vocab?: unknown;
  /** merges.txt: one merge per line after the first line (a `#version` header, skipped as transformers does). */
  readonly merges?: string;
  /** tokenizer_config.json. */
  readonly tokenizerConfig?: unknown;
  /** special_tokens_map.json (read only for configs without `added_tokens_decoder`, as transformers does). */
  readonly specialTokensMap?: unknown;
  /** added_tokens.json (legacy): token -> id. */
  readonly addedTokens?: unknown;
  /** tokenizer.json (the fast tokenizer's file): its `added_tokens`, and its BPE model when vocab/merges are absent. */
  readonly tokenizerJson?: unknown;
}

/** The file names transformers uses for each field of {@link CLIPTokenizerFiles}. */
export const TOKENIZER_FILE_NAMES = {
  vocab: 'vocab.json',
  merges: 'merges.txt',
  tokenizerConfig: 'tokenizer_config.json',
  specialTokensMap: 'special_tokens_map.json',
  addedTokens: 'added_tokens.json',
  tokenizerJson: 'tokenizer.json',
} as const;

/** Names one file of a tokenizer folder in messages: `<source>/<file>`. */
export function describeFile(files: CLIPTokenizerFiles, file: string): string {
  return files.source === undefined ? file : `${files.source}/${file}`;
}

/** The error for a missing or malformed tokenizer file or field. */
export function invalidTokenizerFile(path: string, field: string | undefined, problem: string, cause?: unknown): SdxlError {
  const where = field === undefined ? path : `${path}, field "${field}"`;
  return new SdxlError(ErrorCode.TOKENIZER_INVALID, `Invalid tokenizer file ${where}: ${problem}`, {
    details: { file: path, field },
    cause,
  });
}

/** True for a token id: a non-negative safe integer. */
export function isTokenId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A plain JSON object, or undefined for anything else. */
export function asJsonObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
