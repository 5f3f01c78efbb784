import type { ErrorCode } from '@sdxl-trainer/errors';

/** A caption cell: one string, or a list to pick from (the script's `random.choice`), or missing. */
export type CaptionCell = string | readonly string[] | null;

/** Where a sample lives, for messages: the file (parquet shard, metadata file or image) and its row in that file. */
export interface SampleOrigin {
  readonly file: string;
  /** 0-based row in `file` (for metadata.jsonl: the data line, counting from 0). */
  readonly row: number;
  /** The image file, when images are separate files. */
  readonly image?: string | undefined;
}

/** One row of a source, with the image still encoded. */
export interface SourceRecord {
  /** Position in the source (0-based). */
  readonly index: number;
  readonly origin: SampleOrigin;
  /** The encoded image (JPEG, PNG, WebP, …). */
  readonly image: Uint8Array;
  readonly caption: CaptionCell;
}

/** A sample that was left out (`onBadSample: 'skip'`) or that failed, and why. */
export interface BadSample extends SampleOrigin {
  readonly code: ErrorCode;
  readonly reason: string;
}

/** What to do with a sample that cannot be used: stop with an `SdxlError` (default), or leave it out and report it. */
export type OnBadSample = 'error' | 'skip';

/** Random-access rows of a dataset: the image column and the caption column the user chose. */
export interface ImageSource {
  /** E.g. `lambdalabs/naruto-blip-captions@<commit> (train)` or a folder path. */
  readonly description: string;
  readonly size: number;
  /** All columns of the dataset (for messages and validation). */
  readonly columns: readonly string[];
  /** Rows left out while opening (only with `onBadSample: 'skip'`). */
  readonly skipped: readonly BadSample[];
  origin(index: number): SampleOrigin;
  /** The caption of a row, without reading its image. */
  caption(index: number): CaptionCell;
  read(index: number): Promise<SourceRecord>;
}
