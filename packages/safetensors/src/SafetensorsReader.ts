import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { toFloat32, toInt32 } from './convertTensor.js';
import { decodeTensor } from './decodeTensor.js';
import { openShard, type OpenShard } from './openShard.js';
import { readRange } from './readRange.js';
import { readShardIndex } from './readShardIndex.js';
import type { TensorData, TensorInfo } from './TensorInfo.js';

/**
 * Reads tensors one at a time from a .safetensors file or a sharded set (opened from its `*.safetensors.index.json`).
 * Only headers are read when opening; each `read` fetches one tensor's bytes at its offset, so files far larger than a
 * Node Buffer (4 GiB) work. Close it when done.
 */
export class SafetensorsReader {
  /** The `__metadata__` strings (for a sharded set: the first shard's). */
  readonly metadata: Readonly<Record<string, string>>;
  /** The `.safetensors` or `.safetensors.index.json` path this reader was opened from. */
  readonly path: string;
  readonly #shards: readonly OpenShard[];
  readonly #tensors: ReadonlyMap<string, TensorInfo>;
  readonly #handles: ReadonlyMap<string, OpenShard['handle']>;
  #closed = false;

  private constructor(path: string, shards: readonly OpenShard[], tensors: ReadonlyMap<string, TensorInfo>) {
    this.path = path;
    this.#shards = shards;
    this.#tensors = tensors;
    this.#handles = new Map(shards.map((shard) => [shard.file, shard.handle]));
    this.metadata = shards[0]?.metadata ?? Object.freeze({});
  }

  /** Opens a `.safetensors` file, or a sharded set when `path` ends in `.index.json`; validates every header. */
  static async open(path: string): Promise<SafetensorsReader> {
    if (!path.endsWith('.index.json')) {
      const shard = await openShard(path);
      return new SafetensorsReader(path, [shard], new Map(shard.tensors.map((info) => [info.name, info])));
    }
    const index = await readShardIndex(path);
    const shards: OpenShard[] = [];
    try {
      // why: sorted, so `-00001-of-0000N` shards come in order whatever the order of the weight_map.
      for (const file of [...new Set(index.weightMap.values())].sort()) {
        try {
          shards.push(await openShard(file));
        } catch (cause) {
          if ((cause as SdxlError).code !== ErrorCode.FILE_NOT_FOUND) throw cause;
          throw new SdxlError(ErrorCode.SAFETENSORS_INVALID, `${path}: the index names shard ${file}, which does not exist`, {
            details: { file: path, shard: file },
            cause,
          });
        }
      }
      const byFile = new Map(shards.map((shard) => [shard.file, new Map(shard.tensors.map((info) => [info.name, info]))]));
      const tensors = new Map<string, TensorInfo>();
      // why: list tensors shard by shard in data order, so reading them all in keys() order is a sequential scan.
      for (const shard of shards) {
        for (const info of shard.tensors) if (index.weightMap.get(info.name) === shard.file) tensors.set(info.name, info);
      }
      for (const [name, file] of index.weightMap) {
        if (!byFile.get(file)?.has(name)) {
          throw new SdxlError(ErrorCode.SAFETENSORS_INVALID, `${path}: the index puts tensor "${name}" in ${file}, which does not contain it`, {
            details: { file: path, shard: file, tensor: name },
          });
        }
      }
      return new SafetensorsReader(path, shards, tensors);
    } catch (error) {
      await Promise.all(shards.map((shard) => shard.handle.close()));
      throw error;
    }
  }

  /** Every tensor name, in file order (for a sharded set: shard by shard). */
  keys(): string[] {
    return [...this.#tensors.keys()];
  }

  /** True when a tensor of that name exists. */
  has(name: string): boolean {
    return this.#tensors.has(name);
  }

  /** Dtype, shape and location of one tensor; throws SAFETENSORS_TENSOR_NOT_FOUND when absent. */
  info(name: string): TensorInfo {
    const info = this.#tensors.get(name);
    if (info === undefined) {
      throw new SdxlError(ErrorCode.SAFETENSORS_TENSOR_NOT_FOUND, `${this.path}: no tensor named "${name}" (it has ${this.#tensors.size} tensors)`, {
        details: { file: this.path, tensor: name },
      });
    }
    return info;
  }

  /** Reads and decodes one tensor (F16/BF16 come back as Float32Array). */
  async read(name: string): Promise<TensorData> {
    const info = this.info(name);
    if (this.#closed) {
      throw new SdxlError(ErrorCode.SAFETENSORS_INVALID, `${this.path}: cannot read "${name}", the reader is closed`, {
        details: { file: this.path, tensor: name },
      });
    }
    const bytes = await readRange(this.#handles.get(info.file)!, info.byteOffset, info.byteLength, info.file);
    return { dtype: info.dtype, shape: info.shape, data: decodeTensor(bytes, info.dtype) };
  }

  /** Reads one tensor as float32, whatever its dtype (integers are converted). */
  async readFloat32(name: string): Promise<Float32Array> {
    return toFloat32(await this.read(name));
  }

  /** Reads one integer or BOOL tensor as int32; an I64 value outside the int32 range is an error naming the tensor. */
  async readInt32(name: string): Promise<Int32Array> {
    return toInt32(await this.read(name), name, this.info(name).file);
  }

  /** Closes every file handle; later reads fail. Closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#shards.map((shard) => shard.handle.close()));
  }
}
