import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { matchGlobs } from './globToRegExp.js';
import type { DatasetCardConfig } from './readmeConfigs.js';

/** The split the SDXL script trains on. */
export const TRAIN_SPLIT = 'train';

// 🤗 datasets data_files.py: split keywords and the default patterns, tried in this order (fsspec ≥ 2023.12 forms).
const SPLIT_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  train: ['train', 'training'],
  validation: ['validation', 'valid', 'dev', 'val'],
  test: ['test', 'testing', 'eval', 'evaluation'],
};
const SEP = '[-._ 0-9]';
const PATTERN_GROUPS: readonly ((keyword: string) => string[])[] = [
  (k) => [`data/${k}-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*`],
  (k) => [`**/${k}/**`, `**/${k}${SEP}*/**`, `**/*${SEP}${k}/**`, `**/*${SEP}${k}${SEP}*/**`],
  (k) => [`**/${k}${SEP}*`, `**/*${SEP}${k}${SEP}*`],
];
const FILES_TO_IGNORE = new Set(['README.md', 'config.json', 'dataset_info.json', 'dataset_infos.json', 'dummy_data.zip', 'dataset_dict.json']);

/** Which files of a dataset repo (or folder) make up the train split of a config. */
export interface DataFileSelection {
  /** The config used (`default` when the card declares none). */
  readonly config: string;
  /** Repo-relative paths, sorted. */
  readonly files: string[];
}

/** What {@link selectDataFiles} needs to know about the dataset. */
export interface SelectDataFilesOptions {
  /** Every file path of the repo or folder, relative, with `/`. */
  readonly paths: readonly string[];
  /** `configs:` of the dataset card, when it has one. */
  readonly cardConfigs?: readonly DatasetCardConfig[] | undefined;
  /** `--dataset_config_name`. */
  readonly configName?: string | undefined;
  /** `--train_data_dir` passed with `--dataset_name` (load_dataset's `data_dir`): only files below it. */
  readonly dataDir?: string | undefined;
  /** For messages, e.g. the repo id. */
  readonly label: string;
}

/**
 * Pick the train files of a dataset the way `load_dataset(name, config, data_dir=...)` does for data-only repos:
 * with a card that declares `configs:`, the named (or the default) config's `data_files` for `train`; without one,
 * the default patterns (`data/train-00000-of-00001*.parquet` shards, then a `train` folder, then `train` in the file
 * name, then every file). A config name on a card without configs selects the folder of that name — the layout of
 * the Hub's parquet export (`<config>/train/0000.parquet`); that fallback is ours, datasets would refuse.
 */
export function selectDataFiles(options: SelectDataFilesOptions): DataFileSelection {
  const { label, configName } = options;
  const usable = options.paths.filter((p) => !FILES_TO_IGNORE.has(p.split('/').pop()!) && !p.split('/').some((part) => part.startsWith('.')));
  const dataDir = options.dataDir?.replace(/^\.?\/+|\/+$/g, '') ?? '';
  const cards = options.cardConfigs ?? [];
  if (cards.length > 0) {
    const config = pickCardConfig(cards, configName, label);
    const base = [config.dataDir, dataDir].filter(Boolean).join('/');
    const patterns = config.dataFiles[TRAIN_SPLIT];
    if (patterns === undefined || patterns.length === 0) {
      const splits = Object.keys(config.dataFiles);
      throw new SdxlError(ErrorCode.DATA_FILES_NOT_FOUND, `config "${config.name}" of ${label} has no "${TRAIN_SPLIT}" split (it has ${splits.join(', ') || 'no data_files'})`, {
        details: { dataset: label, config: config.name, splits },
      });
    }
    const files = matchGlobs(usable, patterns.map((p) => (base ? `${base}/${p}` : p)));
    return { config: config.name, files: required(files, label, config.name, patterns) };
  }
  let config = 'default';
  if (configName !== undefined && configName !== 'default') {
    if (!usable.some((p) => p.startsWith(`${configName}/`))) {
      const folders = [...new Set(usable.filter((p) => p.includes('/')).map((p) => p.split('/')[0]!))].sort();
      throw new SdxlError(ErrorCode.DATA_CONFIG_NOT_FOUND, `${label} has no config "${configName}": its card declares no configs, and it has no folder of that name (available: default${folders.length ? `, folders ${folders.join(', ')}` : ''})`, {
        details: { dataset: label, config: configName, available: ['default', ...folders] },
      });
    }
    config = configName;
  }
  // why: like load_dataset's base_path, the default patterns apply below the config folder and data_dir.
  const base = [config === 'default' ? '' : config, dataDir].filter(Boolean).join('/');
  const prefix = base ? `${base}/` : '';
  const scope = usable.filter((p) => p.startsWith(prefix));
  const relative = scope.map((p) => p.slice(prefix.length));
  for (const group of PATTERN_GROUPS) {
    const bySplit = Object.fromEntries(Object.entries(SPLIT_KEYWORDS).map(([split, keys]) => [split, matchGlobs(relative, keys.flatMap(group))]));
    if (Object.values(bySplit).some((files) => files.length > 0)) {
      const found = Object.keys(bySplit).filter((split) => bySplit[split]!.length > 0);
      const train = bySplit[TRAIN_SPLIT]!.map((p) => prefix + p);
      if (train.length === 0) {
        throw new SdxlError(ErrorCode.DATA_FILES_NOT_FOUND, `${label} has no "${TRAIN_SPLIT}" split (found ${found.join(', ')})`, { details: { dataset: label, splits: found } });
      }
      return { config, files: train.sort() };
    }
  }
  return { config, files: required(scope.slice().sort(), label, config, ['**']) };
}

function pickCardConfig(cards: readonly DatasetCardConfig[], name: string | undefined, label: string): DatasetCardConfig {
  const names = cards.map((c) => c.name);
  const found =
    name !== undefined
      ? cards.find((c) => c.name === name)
      : cards.find((c) => c.isDefault) ?? cards.find((c) => c.name === 'default') ?? (cards.length === 1 ? cards[0] : undefined);
  if (found) return found;
  const message =
    name === undefined
      ? `${label} has several configs and none is the default: pass --dataset_config_name (one of ${names.join(', ')})`
      : `${label} has no config "${name}" (available: ${names.join(', ')})`;
  throw new SdxlError(ErrorCode.DATA_CONFIG_NOT_FOUND, message, { details: { dataset: label, config: name, available: names } });
}

function required(files: string[], label: string, config: string, patterns: readonly string[]): string[] {
  if (files.length > 0) return files;
  throw new SdxlError(ErrorCode.DATA_FILES_NOT_FOUND, `no data files of ${label} (config "${config}") match ${patterns.join(', ')}`, {
    details: { dataset: label, config, patterns },
  });
}
