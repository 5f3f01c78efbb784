import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { hubSettings, repoCache, resolveRepo, type ResolveRepoOptions } from '@sdxl-trainer/hub';
import { isImageFile, isMetadataFile } from './imageFiles.js';
import { readmeConfigs, type DatasetCardConfig } from './readmeConfigs.js';
import { selectDataFiles } from './selectDataFiles.js';
import { walkFiles } from './walkFiles.js';

/** How the Hub is reached: everything of `resolveRepo`'s options that is not about file selection. */
export type HubAccess = Omit<ResolveRepoOptions, 'type' | 'select' | 'subfolders' | 'allowPatterns' | 'ignorePatterns' | 'variant'>;

/** The train files of a dataset, on disk. */
export interface DatasetLocation {
  /** For messages: `org/name@<commit> [config]` or the folder. */
  readonly label: string;
  /** Folder that `files` are relative to (a Hugging Face snapshot, or a local folder). */
  readonly root: string;
  readonly files: readonly string[];
  /** `parquet` shards, or a `folder` of images with metadata.jsonl/csv or .txt captions. */
  readonly format: 'parquet' | 'folder';
  readonly config: string;
}

/** The script's data flags. */
export interface LocateDatasetOptions {
  /** `--dataset_name`: a Hub dataset id or a local folder. */
  readonly datasetName?: string | undefined;
  readonly datasetConfigName?: string | undefined;
  /** `--train_data_dir`: the image folder, or with datasetName the `data_dir` inside the dataset. */
  readonly trainDataDir?: string | undefined;
  /** `--cache_dir`: the Hugging Face cache folder (default HF_HUB_CACHE / HF_HOME/hub / ~/.cache/huggingface/hub). */
  readonly cacheDir?: string | undefined;
  /** Hub settings: `revision` of the dataset, `endpoint`, `token`, `offline`, `onProgress`, … */
  readonly hub?: HubAccess | undefined;
}

/**
 * Find the train split of `--dataset_name` / `--train_data_dir` on disk. A Hub id is resolved into the Hugging Face
 * cache with only the files the split needs (README.md first, to read the card's configs), so it works offline
 * from the cache afterwards; a local folder is read in place.
 */
export async function locateDataset(options: LocateDatasetOptions): Promise<DatasetLocation> {
  const { datasetName, trainDataDir } = options;
  if (datasetName === undefined) {
    if (trainDataDir === undefined) {
      throw new SdxlError(ErrorCode.DATA_NO_SOURCE, 'no training data given: pass a dataset name (--dataset_name) or an image folder (--train_data_dir)');
    }
    if (!existsSync(trainDataDir) || !statSync(trainDataDir).isDirectory()) {
      throw new SdxlError(ErrorCode.DATA_FILES_NOT_FOUND, `the train data folder ${trainDataDir} does not exist`, { details: { trainDataDir } });
    }
    const files = await walkFiles(trainDataDir);
    return { label: trainDataDir, root: trainDataDir, files: withFormat(files, trainDataDir).files, format: 'folder', config: 'default' };
  }
  if (existsSync(datasetName)) {
    const paths = await walkFiles(datasetName);
    const cards = await cardConfigs(join(datasetName, 'README.md'), datasetName);
    const selection = selectDataFiles({ paths, cardConfigs: cards, configName: options.datasetConfigName, dataDir: trainDataDir, label: datasetName });
    return { label: datasetName, root: datasetName, config: selection.config, ...withFormat(selection.files, datasetName) };
  }
  const hub: HubAccess = { ...options.hub, ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }) };
  const card = await resolveRepo(datasetName, { ...hub, type: 'dataset', allowPatterns: ['README.md'] });
  const commit = card.commit!;
  const label = `${datasetName}@${commit.slice(0, 10)}`;
  const paths = await repoFiles(hub, datasetName, commit, card.path);
  const cards = paths.includes('README.md') ? await cardConfigs(join(card.path, 'README.md'), label) : undefined;
  const selection = selectDataFiles({ paths, cardConfigs: cards, configName: options.datasetConfigName, dataDir: trainDataDir, label });
  const { files, format } = withFormat(selection.files, label);
  // why: asking for the commit (not the branch) pins the second resolve to the files listed above.
  const fetched = await resolveRepo(datasetName, { ...hub, revision: commit, type: 'dataset', allowPatterns: files.map(escapeFnmatch) });
  return { label: `${label} [${selection.config}]`, root: fetched.path, files, format, config: selection.config };
}

function withFormat(files: readonly string[], label: string): { files: string[]; format: 'parquet' | 'folder' } {
  const parquet = files.filter((f) => f.toLowerCase().endsWith('.parquet'));
  if (parquet.length > 0) return { files: parquet, format: 'parquet' };
  const folder = files.filter((f) => isImageFile(f) || isMetadataFile(f) || f.toLowerCase().endsWith('.txt'));
  if (folder.some(isImageFile)) return { files: folder, format: 'folder' };
  throw new SdxlError(ErrorCode.DATA_FILES_NOT_FOUND, `${label} has no parquet files and no images in its train split (${files.length} other files)`, {
    details: { dataset: label, files: files.slice(0, 20) },
  });
}

async function cardConfigs(path: string, label: string): Promise<DatasetCardConfig[] | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    return readmeConfigs(await readFile(path, 'utf8'));
  } catch (error) {
    throw new SdxlError(ErrorCode.DATA_METADATA_INVALID, `the dataset card of ${label} (README.md) has a "configs:" block that cannot be read: ${(error as Error).message}`, {
      details: { dataset: label, file: 'README.md' },
      cause: error,
    });
  }
}

/** The file list of a cached commit: huggingface_hub's `trees/<commit>.json`, else the files in the snapshot folder. */
async function repoFiles(hub: HubAccess, repoId: string, commit: string, snapshot: string): Promise<string[]> {
  const cache = repoCache(hubSettings(hub).cacheDir, 'dataset', repoId);
  try {
    const tree = JSON.parse(await readFile(cache.tree(commit), 'utf8')) as { format_version?: number; files?: Record<string, unknown> };
    if (tree.format_version === 1 && tree.files) return Object.keys(tree.files).sort();
  } catch {
    // why: no tree record (e.g. a cache filled offline by another tool): fall back to what the snapshot holds.
  }
  return existsSync(snapshot) ? walkFiles(snapshot) : [];
}

function escapeFnmatch(path: string): string {
  return path.replace(/[*?[]/g, (c) => `[${c}]`);
}
