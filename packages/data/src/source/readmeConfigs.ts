import { parseYamlBlock, type YamlValue } from './parseYamlBlock.js';

/** One entry of a dataset card's `configs:` list, as 🤗 datasets reads it (`MetadataConfigs`). */
export interface DatasetCardConfig {
  readonly name: string;
  readonly isDefault: boolean;
  /** Folder the patterns are relative to (`data_dir`), or '' for the repo root. */
  readonly dataDir: string;
  /** `data_files` per split; a bare string or list means the `train` split. */
  readonly dataFiles: Readonly<Record<string, readonly string[]>>;
}

/**
 * The `configs:` of a dataset card (README.md YAML front matter), or undefined when it has none. Only that block
 * is parsed, so unusual YAML elsewhere in the card does not matter. Throws `SyntaxError` for a malformed block.
 */
export function readmeConfigs(readme: string): DatasetCardConfig[] | undefined {
  const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(readme.replace(/^\uFEFF/, ''));
  if (!front) return undefined;
  const lines = front[1]!.split(/\r?\n/);
  const start = lines.findIndex((line) => /^configs\s*:/.test(line));
  if (start === -1) return undefined;
  let end = start + 1;
  while (end < lines.length && (lines[end]!.trim() === '' || /^[\s#-]/.test(lines[end]!))) end++;
  const parsed = parseYamlBlock(lines.slice(start, end).join('\n')) as { configs?: YamlValue };
  const list = parsed.configs;
  if (!Array.isArray(list)) throw new SyntaxError('"configs" must be a list');
  return list.map((entry, i) => toConfig(entry, i));
}

function toConfig(entry: YamlValue, i: number): DatasetCardConfig {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new SyntaxError(`configs[${i}] must be a mapping`);
  const name = entry['config_name'];
  if (typeof name !== 'string') throw new SyntaxError(`configs[${i}] has no config_name`);
  return {
    name,
    isDefault: entry['default'] === true,
    dataDir: typeof entry['data_dir'] === 'string' ? entry['data_dir'].replace(/\/+$/, '') : '',
    dataFiles: dataFiles(entry['data_files'] ?? null, name),
  };
}

function dataFiles(value: YamlValue, name: string): Record<string, string[]> {
  if (value === null) return {};
  if (typeof value === 'string') return { train: [value] };
  if (!Array.isArray(value)) throw new SyntaxError(`data_files of config "${name}" must be a string or a list`);
  if (value.every((v) => typeof v === 'string')) return { train: value as string[] };
  const out: Record<string, string[]> = {};
  for (const item of value) {
    if (item === null || typeof item !== 'object' || Array.isArray(item) || typeof item['split'] !== 'string') {
      throw new SyntaxError(`data_files of config "${name}" mixes patterns and {split, path} entries`);
    }
    const path = item['path'];
    const paths = typeof path === 'string' ? [path] : Array.isArray(path) ? path.filter((p): p is string => typeof p === 'string') : [];
    (out[item['split']] ??= []).push(...paths);
  }
  return out;
}
