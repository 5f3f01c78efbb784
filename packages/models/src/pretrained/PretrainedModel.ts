import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { SafetensorsReader, writeSafetensors, writeShardedSafetensors, type TensorToWrite } from '@sdxl-trainer/safetensors';
import { checkStateKeys } from '../nn/checkStateKeys.js';
import { Module } from '../nn/Module.js';
import { resolveStateKeys } from '../nn/resolveStateKeys.js';
import { DEFAULT_MAX_SHARD_BYTES, WEIGHTS_BASE_NAME, type WeightsFormat } from './WeightsFormat.js';
import { writeTextAtomically } from './writeTextAtomically.js';

/** Options of {@link PretrainedModel.savePretrained}. */
export interface SaveOptions {
  /** Largest shard in bytes; a larger model is written as `<base>-0000i-of-0000N.safetensors` + index (default per format). */
  readonly maxShardBytes?: number;
}

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);

/**
 * A model that lives in a transformers / diffusers folder: config.json plus safetensors weights named by PyTorch
 * parameter name in PyTorch layout. Subclasses say which format, which class name, and what config.json to write.
 */
export abstract class PretrainedModel extends Module {
  /** transformers `architectures[0]` / diffusers `_class_name`, e.g. "CLIPTextModel". */
  abstract readonly className: string;
  /** Which library's file names the folder uses. */
  abstract readonly weightsFormat: WeightsFormat;

  /** What savePretrained writes as config.json (the source config's keys, updated as the reference library would). */
  abstract configJson(): Record<string, unknown>;

  /**
   * Loads weights from a `.safetensors` file or sharded `.safetensors.index.json`. Every name and shape is checked
   * first (MODEL_WEIGHTS_MISMATCH naming all missing / unexpected / wrong-shape keys), then tensors are read one at a
   * time and each tf.Variable is made right away, so the whole model never sits in memory twice. F16/BF16 are upcast
   * to float32 exactly.
   */
  async loadWeights(path: string): Promise<this> {
    const wasMaterialized = this.isMaterialized;
    const reader = await SafetensorsReader.open(path);
    try {
      const parameters = this.namedParameters();
      const keys = resolveStateKeys(path, reader.keys(), (key) => this.currentKeyName(key));
      checkStateKeys(
        path,
        new Map(parameters.map(([name, parameter]) => [name, parameter.shape])),
        new Map([...keys].map(([name, key]) => [name, reader.info(key).shape])),
        new Set(this.knownBuffers()),
      );
      for (const [name] of parameters) {
        const { dtype } = reader.info(keys.get(name)!);
        if (!FLOAT_DTYPES.has(dtype)) {
          throw new SdxlError(ErrorCode.MODEL_WEIGHTS_MISMATCH, `${path}: "${name}" is ${dtype}; a weight must be F32, F16, BF16 or F64`, {
            details: { file: path, tensor: name, dtype },
          });
        }
      }
      for (const [name, parameter] of parameters) parameter.setFromPyTorch(await reader.readFloat32(keys.get(name)!));
    } catch (error) {
      // why: a half-loaded model is worse than none; a model that had no weights goes back to shape-only.
      if (!wasMaterialized) this.dispose();
      throw error;
    } finally {
      await reader.close();
    }
    return this;
  }

  /**
   * Writes config.json and the float32 weights (`model.safetensors` / `diffusion_pytorch_model.safetensors`, or
   * shards plus index past `maxShardBytes`) into `folder`, each file atomically. Tensors are fetched one at a time.
   */
  async savePretrained(folder: string, options: SaveOptions = {}): Promise<void> {
    await mkdir(folder, { recursive: true });
    const base = WEIGHTS_BASE_NAME[this.weightsFormat];
    const parameters = this.namedParameters();
    const tensors: Record<string, TensorToWrite> = {};
    let bytes = 0;
    for (const [name, parameter] of parameters) {
      tensors[name] = { dtype: 'F32', shape: parameter.shape, data: () => parameter.toPyTorch() };
      bytes += parameter.size * 4;
    }
    const maxShardBytes = options.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES[this.weightsFormat];
    if (bytes <= maxShardBytes) await writeSafetensors(join(folder, `${base}.safetensors`), tensors, { format: 'pt' });
    else await writeShardedSafetensors(folder, base, tensors, { maxShardBytes, metadata: { format: 'pt' } });
    await writeTextAtomically(join(folder, 'config.json'), `${JSON.stringify(sortKeys(this.configJson()), null, 2)}\n`);
  }
}

// why: transformers and diffusers both write config.json with json.dumps(..., indent=2, sort_keys=True).
function sortKeys(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(config).sort().map((key) => [key, config[key]]));
}
