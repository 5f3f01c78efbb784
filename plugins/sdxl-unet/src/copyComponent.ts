import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { resolveModelFiles, WEIGHTS_BASE_NAME, type WeightsFormat } from '@sdxl-trainer/models';
import { copyFileAtomically } from './atomicFiles.js';

/**
 * Copy one model (config.json and the weights it loads from, variant included) from `folder` into `destination`,
 * each file atomically. Variant weights are written under the plain names (`model.fp16.safetensors` →
 * `model.safetensors`), as `save_pretrained` without a variant names them; a sharded index keeps its shard names.
 */
export async function copyModelComponent(folder: string, destination: string, format: WeightsFormat, variant: string | undefined): Promise<void> {
  const files = await resolveModelFiles(folder, { variant }, format);
  const base = WEIGHTS_BASE_NAME[format];
  const copy = (from: string, name: string) => copyFileAtomically(from, join(destination, name));
  await copy(files.configPath, 'config.json');
  if (files.weightsPath.endsWith('.json')) {
    for (const shard of await shardNames(files.weightsPath)) await copy(join(dirname(files.weightsPath), shard), shard);
    await copy(files.weightsPath, `${base}.safetensors.index.json`);
  } else {
    await copy(files.weightsPath, `${base}.safetensors`);
  }
}

/** Copy every file (not sub-folder) of `folder` into `destination` (tokenizer files), each atomically; symlinks are followed. */
export async function copyFolderFiles(folder: string, destination: string): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(folder)).sort();
  } catch (cause) {
    throw new SdxlError(ErrorCode.FILE_NOT_FOUND, `cannot read the component folder ${folder} to copy it into the saved pipeline (${(cause as Error).message})`, {
      details: { file: folder },
      cause,
    });
  }
  for (const name of names) {
    if ((await stat(join(folder, name))).isFile()) await copyFileAtomically(join(folder, name), join(destination, name));
  }
}

async function shardNames(indexPath: string): Promise<string[]> {
  const index = JSON.parse(await readFile(indexPath, 'utf8')) as { weight_map?: Record<string, unknown> };
  const shards = new Set(Object.values(index.weight_map ?? {}));
  if (shards.size === 0 || ![...shards].every((shard) => typeof shard === 'string' && shard === basename(shard))) {
    throw new SdxlError(ErrorCode.FILE_INVALID, `${indexPath}: weight_map must name the shard files beside the index`, { details: { file: indexPath } });
  }
  return [...shards].sort() as string[];
}
