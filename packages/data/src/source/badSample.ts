import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { BadSample, OnBadSample, SampleOrigin } from './ImageSource.js';

/** `file row N` (and the image file when separate), the way every data message names a sample. */
export function describeOrigin(origin: SampleOrigin): string {
  return `${origin.file} row ${origin.row}${origin.image !== undefined && origin.image !== origin.file ? ` (image ${origin.image})` : ''}`;
}

/** An `SdxlError` about one sample: the code, then "file row N: reason". */
export function sampleError(code: ErrorCode, origin: SampleOrigin, reason: string, cause?: unknown): SdxlError {
  return new SdxlError(code, `${describeOrigin(origin)}: ${reason}`, { details: { ...origin, reason }, cause });
}

/**
 * Collects samples that cannot be used: with `error` the first one throws (an `SdxlError` naming file and row),
 * with `skip` each is recorded and left out.
 */
export class BadSampleLog {
  readonly samples: BadSample[] = [];
  constructor(readonly policy: OnBadSample) {}

  /** Record (or throw for) one bad sample. */
  report(code: ErrorCode, origin: SampleOrigin, reason: string, cause?: unknown): void {
    if (this.policy === 'error') throw sampleError(code, origin, reason, cause);
    this.samples.push({ ...origin, code, reason });
  }
}

/** The error for an empty dataset, saying how many rows were left out and why. */
export function emptyDatasetError(label: string, skipped: readonly BadSample[]): SdxlError {
  const why = skipped.length > 0 ? `: all ${skipped.length} rows were skipped (first: ${describeOrigin(skipped[0]!)}: ${skipped[0]!.reason})` : '';
  return new SdxlError(ErrorCode.DATA_EMPTY, `${label} has no usable samples${why}`, { details: { dataset: label, skipped: skipped.length } });
}

/** Throw `DATA_COLUMN_NOT_FOUND` unless `column` is one of `columns`. */
export function requireColumn(column: string, columns: readonly string[], flag: string, label: string): void {
  if (columns.includes(column)) return;
  throw new SdxlError(ErrorCode.DATA_COLUMN_NOT_FOUND, `${flag} "${column}" is not a column of ${label}; the columns are: ${columns.join(', ') || '(none)'}`, {
    details: { column, flag, available: [...columns], dataset: label },
  });
}
