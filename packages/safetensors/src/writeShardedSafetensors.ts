import { join } from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { DTYPE_BYTES, elementCount, isDtype } from './dtype.js';
import type { TensorToWrite } from './TensorToWrite.js';
import { writeFileAtomically } from './writeFileAtomically.js';
import { prepareLayout, writeLayout } from './writeSafetensors.js';

/** Options of {@link writeShardedSafetensors}. */
export interface ShardOptions {
  /** Largest sum of tensor data bytes per shard; a single larger tensor gets a shard of its own. */
  readonly maxShardBytes: number;
  /** `__metadata__` written into every shard. */
  readonly metadata?: Record<string, string>;
}

/**
 * Writes tensors as huggingface shards: `<baseName>-00001-of-0000N.safetensors` files in `dir` plus
 * `<baseName>.safetensors.index.json` (`{ metadata: { total_size }, weight_map }`, keys sorted, 2-space indent, as
 * transformers' save_pretrained writes it). Tensors fill shards in the order given. Everything that can be checked is
 * checked before the first file is written; each file is written atomically, the index last. Returns the paths
 * written: the shards in order, then the index.
 */
export async function writeShardedSafetensors(
  dir: string,
  baseName: string,
  tensors: Record<string, TensorToWrite>,
  options: ShardOptions,
): Promise<string[]> {
  const { maxShardBytes, metadata } = options;
  if (!(Number.isFinite(maxShardBytes) && maxShardBytes > 0)) {
    throw new SdxlError(ErrorCode.SAFETENSORS_INVALID, `${dir}: maxShardBytes must be a positive number, got ${maxShardBytes}`, {
      details: { file: dir, maxShardBytes },
    });
  }
  const groups: [string, TensorToWrite][][] = [];
  let current: [string, TensorToWrite][] = [];
  let currentBytes = 0;
  let totalSize = 0;
  for (const entry of Object.entries(tensors)) {
    const { dtype, shape } = entry[1];
    // why: an invalid dtype counts as 0 bytes here; prepareLayout below reports it with the tensor's name.
    const bytes = isDtype(dtype) ? elementCount(shape) * DTYPE_BYTES[dtype] : 0;
    // why: like huggingface_hub's split_state_dict_into_shards, start a new shard when the next tensor would overflow.
    if (current.length > 0 && currentBytes + bytes > maxShardBytes) {
      groups.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(entry);
    currentBytes += bytes;
    totalSize += bytes;
  }
  if (current.length > 0 || groups.length === 0) groups.push(current);

  const count = String(groups.length).padStart(5, '0');
  const shards = groups.map((group, index) => {
    const fileName = `${baseName}-${String(index + 1).padStart(5, '0')}-of-${count}.safetensors`;
    const path = join(dir, fileName);
    return { fileName, path, names: group.map(([name]) => name), layout: prepareLayout(path, Object.fromEntries(group), metadata) };
  });
  const weightMap = new Map<string, string>();
  for (const shard of shards) {
    await writeLayout(shard.path, shard.layout);
    for (const name of shard.names) weightMap.set(name, shard.fileName);
  }
  const sortedMap = Object.fromEntries([...weightMap].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const indexPath = join(dir, `${baseName}.safetensors.index.json`);
  const indexText = `${JSON.stringify({ metadata: { total_size: totalSize }, weight_map: sortedMap }, null, 2)}\n`;
  await writeFileAtomically(indexPath, (writer) => writer.write(Buffer.from(indexText, 'utf8'), 0));
  return [...shards.map((shard) => shard.path), indexPath];
}
