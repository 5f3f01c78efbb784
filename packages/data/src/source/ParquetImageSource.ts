import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { BadSampleLog, emptyDatasetError, requireColumn, sampleError } from './badSample.js';
import type { BadSample, CaptionCell, ImageSource, OnBadSample, SampleOrigin, SourceRecord } from './ImageSource.js';
import { parquetColumns, type ParquetColumn } from './parquetColumns.js';

/** A parquet file on disk and the name to show for it (its path in the dataset repo). */
export interface ParquetFile {
  readonly path: string;
  readonly name: string;
}

/** Which columns to read and how to treat bad rows. */
export interface ParquetSourceOptions {
  readonly imageColumn: string;
  readonly captionColumn: string;
  /** The dataset, for messages. */
  readonly label: string;
  readonly onBadSample?: OnBadSample | undefined;
  /** Decoded row groups of the image column kept in memory (default 2). */
  readonly cachedRowGroups?: number | undefined;
}

interface OpenFile {
  readonly file: ParquetFile;
  readonly buffer: AsyncBuffer;
  readonly metadata: FileMetaData;
  /** First row of each row group, then the row count. */
  readonly groupStarts: number[];
}

/**
 * Rows of parquet shards as 🤗 datasets writes them (an `Image` feature is a struct `{bytes, path}`): the schema
 * and the caption column are read up front (cheap), the image column one row group at a time when a row is asked
 * for, with a small LRU of decoded row groups — reading in row order touches each group once.
 */
export class ParquetImageSource implements ImageSource {
  readonly #groups = new Map<string, Promise<(Uint8Array | null)[]>>();
  #groupReads = 0;

  private constructor(
    readonly description: string,
    readonly columns: readonly string[],
    readonly skipped: readonly BadSample[],
    private readonly files: readonly OpenFile[],
    /** Per source index: file index and row in the file. */
    private readonly rows: readonly (readonly [number, number])[],
    private readonly captions: readonly CaptionCell[],
    private readonly options: ParquetSourceOptions,
  ) {}

  /** Open the shards, check that they share one schema with the two columns, and read every caption. */
  static async open(files: readonly ParquetFile[], options: ParquetSourceOptions): Promise<ParquetImageSource> {
    if (files.length === 0) throw new SdxlError(ErrorCode.DATA_FILES_NOT_FOUND, `${options.label} has no parquet files`, { details: { dataset: options.label } });
    const opened: OpenFile[] = [];
    let schema: { file: string; columns: ParquetColumn[] } | undefined;
    for (const file of files) {
      const { buffer, metadata } = await openParquet(file);
      const columns = parquetColumns(metadata);
      if (schema === undefined) {
        schema = { file: file.name, columns };
        requireColumn(options.imageColumn, columns.map((c) => c.name), 'the image column (--image_column)', options.label);
        requireColumn(options.captionColumn, columns.map((c) => c.name), 'the caption column (--caption_column)', options.label);
        checkKind(columns, options.imageColumn, ['image'], 'an image (🤗 Image feature: a struct {bytes, path} or binary)', file.name);
        checkKind(columns, options.captionColumn, ['string', 'string-list'], 'a string or a list of strings', file.name);
      } else if (!sameSchema(schema.columns, columns)) {
        throw new SdxlError(
          ErrorCode.DATA_PARQUET_INVALID,
          `${file.name} has another schema than ${schema.file}: ${describeColumns(columns)} instead of ${describeColumns(schema.columns)}`,
          { details: { file: file.name, expected: schema.columns, found: columns } },
        );
      }
      const groupStarts = [0];
      for (const group of metadata.row_groups) groupStarts.push(groupStarts[groupStarts.length - 1]! + Number(group.num_rows));
      opened.push({ file, buffer, metadata, groupStarts });
    }
    const log = new BadSampleLog(options.onBadSample ?? 'error');
    const rows: (readonly [number, number])[] = [];
    const captions: CaptionCell[] = [];
    for (const [f, open] of opened.entries()) {
      const cells = await readColumn(open, options.captionColumn, 0, Number(open.metadata.num_rows), true);
      cells.forEach((cell, row) => {
        const caption = toCaption(cell);
        if (caption === null) log.report(ErrorCode.DATA_CAPTION_MISSING, { file: open.file.name, row }, `the caption ("${options.captionColumn}") is missing`);
        else {
          rows.push([f, row]);
          captions.push(caption);
        }
      });
    }
    if (rows.length === 0) throw emptyDatasetError(options.label, log.samples);
    return new ParquetImageSource(options.label, schema!.columns.map((c) => c.name), log.samples, opened, rows, captions, options);
  }

  get size(): number {
    return this.rows.length;
  }

  /** How many times a row group of the image column was read from disk (for tests and logs). */
  get rowGroupReads(): number {
    return this.#groupReads;
  }

  origin(index: number): SampleOrigin {
    const [f, row] = this.#row(index);
    return { file: this.files[f]!.file.name, row };
  }

  caption(index: number): CaptionCell {
    this.#row(index);
    return this.captions[index]!;
  }

  async read(index: number): Promise<SourceRecord> {
    const [f, row] = this.#row(index);
    const open = this.files[f]!;
    const origin = { file: open.file.name, row };
    const group = findGroup(open.groupStarts, row);
    const images = await this.#group(f, group);
    const image = images[row - open.groupStarts[group]!];
    if (!image) throw sampleError(ErrorCode.DATA_IMAGE_INVALID, origin, `the image ("${this.options.imageColumn}") has no bytes (null, or only a path, which is not fetched)`);
    return { index, origin, image, caption: this.captions[index]! };
  }

  #row(index: number): readonly [number, number] {
    const row = this.rows[index];
    if (row === undefined) throw new RangeError(`row ${index} is outside 0..${this.rows.length - 1} of ${this.description}`);
    return row;
  }

  #group(f: number, group: number): Promise<(Uint8Array | null)[]> {
    const key = `${f}/${group}`;
    const hit = this.#groups.get(key);
    if (hit) {
      this.#groups.delete(key);
      this.#groups.set(key, hit); // why: re-insert to mark as most recently used.
      return hit;
    }
    const open = this.files[f]!;
    this.#groupReads++;
    const load = readColumn(open, this.options.imageColumn, open.groupStarts[group]!, open.groupStarts[group + 1]!, false).then((cells) => cells.map(toImageBytes));
    load.catch(() => this.#groups.delete(key));
    this.#groups.set(key, load);
    const limit = Math.max(1, this.options.cachedRowGroups ?? 2);
    while (this.#groups.size > limit) this.#groups.delete(this.#groups.keys().next().value!);
    return load;
  }
}

async function openParquet(file: ParquetFile): Promise<{ buffer: AsyncBuffer; metadata: FileMetaData }> {
  try {
    const buffer = await asyncBufferFromFile(file.path);
    return { buffer, metadata: await parquetMetadataAsync(buffer) };
  } catch (error) {
    throw new SdxlError(ErrorCode.DATA_PARQUET_INVALID, `${file.name} is not a readable parquet file: ${(error as Error).message}`, { details: { file: file.name }, cause: error });
  }
}

async function readColumn(open: OpenFile, column: string, rowStart: number, rowEnd: number, utf8: boolean): Promise<unknown[]> {
  try {
    const rows = await parquetReadObjects({ file: open.buffer, metadata: open.metadata, columns: [column], rowStart, rowEnd, compressors, utf8 });
    return rows.map((r) => r[column] as unknown);
  } catch (error) {
    throw new SdxlError(ErrorCode.DATA_PARQUET_INVALID, `${open.file.name}: reading column "${column}" rows ${rowStart}..${rowEnd - 1} failed: ${(error as Error).message}`, {
      details: { file: open.file.name, column, rowStart, rowEnd },
      cause: error,
    });
  }
}

function findGroup(starts: readonly number[], row: number): number {
  let lo = 0;
  let hi = starts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= row) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function toCaption(cell: unknown): CaptionCell {
  if (typeof cell === 'string') return cell;
  if (Array.isArray(cell)) {
    const strings = cell.filter((c): c is string => typeof c === 'string');
    return strings.length > 0 ? strings : null;
  }
  return null;
}

function toImageBytes(cell: unknown): Uint8Array | null {
  if (cell instanceof Uint8Array) return cell;
  if (typeof cell === 'object' && cell !== null && (cell as { bytes?: unknown }).bytes instanceof Uint8Array) return (cell as { bytes: Uint8Array }).bytes;
  return null;
}

function checkKind(columns: readonly ParquetColumn[], name: string, kinds: readonly string[], expected: string, file: string): void {
  const column = columns.find((c) => c.name === name)!;
  if (kinds.includes(column.kind)) return;
  throw new SdxlError(ErrorCode.DATA_COLUMN_INVALID, `column "${name}" of ${file} is ${column.type}, expected ${expected}`, { details: { column: name, file, type: column.type, expected } });
}

function sameSchema(a: readonly ParquetColumn[], b: readonly ParquetColumn[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i]!.name && c.kind === b[i]!.kind);
}

function describeColumns(columns: readonly ParquetColumn[]): string {
  return `[${columns.map((c) => `${c.name}: ${c.type}`).join(', ')}]`;
}
