import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { BadSampleLog, emptyDatasetError, requireColumn, sampleError } from './badSample.js';
import { isImageFile, isMetadataFile } from './imageFiles.js';
import type { BadSample, CaptionCell, ImageSource, OnBadSample, SampleOrigin, SourceRecord } from './ImageSource.js';
import { readMetadataFile } from './readMetadataFile.js';

/** Which columns to use and how to treat bad rows. */
export interface ImageFolderOptions {
  readonly imageColumn: string;
  readonly captionColumn: string;
  readonly label: string;
  readonly onBadSample?: OnBadSample | undefined;
}

interface FolderRow {
  readonly origin: SampleOrigin;
  /** Path of the image relative to the root. */
  readonly image: string;
  readonly caption: CaptionCell;
}

/**
 * An image folder as 🤗 datasets' `imagefolder` reads it — `metadata.jsonl` / `metadata.csv` files (in any
 * folder) whose `file_name` (or `<column>_file_name`) names an image relative to the metadata file — or, when there
 * is no metadata file, the kohya-style layout of a caption `<name>.txt` beside each `<name>.<ext>` image (columns
 * `image`, `text`). Metadata and captions are read up front; images when a row is read.
 */
export class ImageFolderSource implements ImageSource {
  private constructor(
    readonly description: string,
    readonly columns: readonly string[],
    readonly skipped: readonly BadSample[],
    private readonly root: string,
    private readonly rows: readonly FolderRow[],
  ) {}

  /** Open the folder `root` whose relative file list is `files`. */
  static async open(root: string, files: readonly string[], options: ImageFolderOptions): Promise<ImageFolderSource> {
    const log = new BadSampleLog(options.onBadSample ?? 'error');
    const metadata = files.filter(isMetadataFile);
    const { columns, rows } = metadata.length > 0 ? await fromMetadata(root, files, metadata, options, log) : await fromCaptionFiles(root, files, options, log);
    if (rows.length === 0) throw emptyDatasetError(options.label, log.samples);
    return new ImageFolderSource(options.label, columns, log.samples, root, rows);
  }

  get size(): number {
    return this.rows.length;
  }

  origin(index: number): SampleOrigin {
    return this.#row(index).origin;
  }

  caption(index: number): CaptionCell {
    return this.#row(index).caption;
  }

  async read(index: number): Promise<SourceRecord> {
    const row = this.#row(index);
    let image: Uint8Array;
    try {
      image = await readFile(join(this.root, ...row.image.split('/')));
    } catch (error) {
      throw sampleError(ErrorCode.DATA_IMAGE_NOT_FOUND, row.origin, `cannot read ${row.image}: ${(error as Error).message}`, error);
    }
    return { index, origin: row.origin, image, caption: row.caption };
  }

  #row(index: number): FolderRow {
    const row = this.rows[index];
    if (row === undefined) throw new RangeError(`row ${index} is outside 0..${this.rows.length - 1} of ${this.description}`);
    return row;
  }
}

async function fromMetadata(root: string, files: readonly string[], metadata: readonly string[], options: ImageFolderOptions, log: BadSampleLog): Promise<{ columns: string[]; rows: FolderRow[] }> {
  const extensions = new Set(metadata.map((m) => m.slice(m.lastIndexOf('.'))));
  if (extensions.size > 1) {
    throw new SdxlError(ErrorCode.DATA_METADATA_INVALID, `${options.label} mixes metadata formats (${metadata.join(', ')}); use only metadata.jsonl or only metadata.csv`, {
      details: { dataset: options.label, files: [...metadata] },
    });
  }
  const existing = new Set(files);
  const perFile = await Promise.all(metadata.map(async (name) => ({ name, rows: await readMetadataFile(join(root, ...name.split('/')), name, log) })));
  const columns = new Set<string>();
  for (const { rows } of perFile) for (const row of rows) for (const key of Object.keys(row.values)) columns.add(imageKey(key) ?? key);
  const columnList = [...columns];
  requireColumn(options.imageColumn, columnList, 'the image column (--image_column)', options.label);
  requireColumn(options.captionColumn, columnList, 'the caption column (--caption_column)', options.label);
  const fileKey = options.imageColumn === 'image' ? 'file_name' : `${options.imageColumn}_file_name`;
  const out: FolderRow[] = [];
  for (const { name, rows } of perFile) {
    const dir = posix.dirname(name);
    for (const row of rows) {
      const fileName = row.values[fileKey] ?? (options.imageColumn === 'image' ? row.values['image_file_name'] : undefined);
      const origin: SampleOrigin = { file: name, row: row.row };
      if (typeof fileName !== 'string' || fileName === '') {
        log.report(ErrorCode.DATA_METADATA_INVALID, origin, `line ${row.line} has no "${fileKey}"`);
        continue;
      }
      // why: as datasets (CWE-22 guard): file_name must stay inside the metadata file's folder.
      const image = posix.normalize(dir === '.' ? fileName : `${dir}/${fileName}`);
      if (fileName.includes('://') || posix.isAbsolute(fileName) || image.startsWith('../') || image === '..' || !image.startsWith(dir === '.' ? '' : `${dir}/`)) {
        log.report(ErrorCode.DATA_METADATA_INVALID, origin, `line ${row.line}: "${fileName}" must be a relative path inside ${dir === '.' ? 'the dataset folder' : dir}`);
        continue;
      }
      const withImage = { ...origin, image };
      if (!existing.has(image) || !isImageFile(image)) {
        log.report(ErrorCode.DATA_IMAGE_NOT_FOUND, withImage, existing.has(image) ? `${image} is not an image file` : `${image} does not exist`);
        continue;
      }
      const caption = toCaption(row.values[options.captionColumn]);
      if (caption === null) {
        log.report(ErrorCode.DATA_CAPTION_MISSING, withImage, `the caption ("${options.captionColumn}") is missing on line ${row.line}`);
        continue;
      }
      out.push({ origin: withImage, image, caption });
    }
  }
  return { columns: columnList, rows: out };
}

async function fromCaptionFiles(root: string, files: readonly string[], options: ImageFolderOptions, log: BadSampleLog): Promise<{ columns: string[]; rows: FolderRow[] }> {
  const texts = new Set(files.filter((f) => f.toLowerCase().endsWith('.txt')));
  const images = files.filter(isImageFile);
  const hasCaptions = images.some((image) => texts.has(captionFile(image)));
  const columns = hasCaptions ? ['image', 'text'] : ['image'];
  const label = hasCaptions ? options.label : `${options.label} (no metadata.jsonl / metadata.csv and no .txt caption beside any image)`;
  requireColumn(options.imageColumn, columns, 'the image column (--image_column)', label);
  requireColumn(options.captionColumn, columns, 'the caption column (--caption_column)', label);
  const rows: FolderRow[] = [];
  for (const [row, image] of images.entries()) {
    const origin: SampleOrigin = { file: image, row, image };
    const txt = captionFile(image);
    if (!texts.has(txt)) {
      log.report(ErrorCode.DATA_CAPTION_MISSING, origin, `there is no caption file ${txt}`);
      continue;
    }
    const caption = (await readFile(join(root, ...txt.split('/')), 'utf8')).replace(/^\uFEFF/, '').trim();
    rows.push({ origin, image, caption });
  }
  return { columns, rows };
}

function captionFile(image: string): string {
  return `${image.slice(0, image.lastIndexOf('.'))}.txt`;
}

function imageKey(key: string): string | undefined {
  if (key === 'file_name') return 'image';
  if (key.endsWith('_file_name')) return key.slice(0, -'_file_name'.length) || 'image';
  return undefined;
}

function toCaption(value: unknown): CaptionCell {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const strings = value.filter((v): v is string => typeof v === 'string');
    return strings.length > 0 ? strings : null;
  }
  return null;
}
