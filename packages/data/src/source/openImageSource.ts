import { join } from 'node:path';
import { ImageFolderSource } from './ImageFolderSource.js';
import type { ImageSource, OnBadSample } from './ImageSource.js';
import { locateDataset, type LocateDatasetOptions } from './locateDataset.js';
import { ParquetImageSource } from './ParquetImageSource.js';
import { selectSamples } from './SubsetSource.js';

/** The SDXL script's data flags (`--dataset_name` … `--max_train_samples`), plus what to do with bad rows. */
export interface ImageSourceOptions extends LocateDatasetOptions {
  /** `--image_column`, default `image`. */
  readonly imageColumn?: string | undefined;
  /** `--caption_column`, default `text`. */
  readonly captionColumn?: string | undefined;
  /** `--max_train_samples`: keep this many rows of a seeded shuffle. */
  readonly maxTrainSamples?: number | undefined;
  /** `--seed` for the max_train_samples shuffle (default 0). */
  readonly seed?: number | undefined;
  /** `error` (default): the first bad row stops with an SdxlError; `skip`: leave it out and list it in `skipped`. */
  readonly onBadSample?: OnBadSample | undefined;
}

/**
 * Open the training rows the script's data flags describe: a Hub dataset of parquet shards (or an imagefolder repo),
 * a local dataset folder, or `--train_data_dir` (imagefolder with metadata.jsonl / metadata.csv, or .txt captions).
 * Columns are checked up front (an error names the column and lists the available ones).
 */
export async function openImageSource(options: ImageSourceOptions): Promise<ImageSource> {
  const location = await locateDataset(options);
  const columns = {
    imageColumn: options.imageColumn ?? 'image',
    captionColumn: options.captionColumn ?? 'text',
    label: location.label,
    onBadSample: options.onBadSample,
  };
  const source =
    location.format === 'parquet'
      ? await ParquetImageSource.open(location.files.map((name) => ({ name, path: join(location.root, ...name.split('/')) })), columns)
      : await ImageFolderSource.open(location.root, location.files, columns);
  return options.maxTrainSamples === undefined ? source : selectSamples(source, options.maxTrainSamples, options.seed ?? 0);
}
