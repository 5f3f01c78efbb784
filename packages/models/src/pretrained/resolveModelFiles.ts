import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { resolveRepo } from '@sdxl-trainer/hub';
import type { PretrainedOptions } from './PretrainedOptions.js';
import { PICKLE_BASE_NAME, WEIGHTS_BASE_NAME, type WeightsFormat } from './WeightsFormat.js';

/** The files of one model in a local folder. */
export interface ModelFiles {
  /** The folder holding config.json and the weights. */
  readonly folder: string;
  readonly configPath: string;
  /** A `.safetensors` file or a sharded set's `.safetensors.index.json`. */
  readonly weightsPath: string;
}

// why: "org/name" (huggingface Hub id syntax), not absolute and not starting with ./ or ../
const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/**
 * Finds config.json and the safetensors weights as transformers / diffusers `from_pretrained` would in a local
 * folder: `<base>[.<variant>].safetensors`, else the sharded `<base>.safetensors.index[.<variant>].json`. Only .bin
 * weights is MODEL_WEIGHTS_FORMAT_UNSUPPORTED. A Hub id ("org/name") is first resolved into the Hugging Face cache
 * with @sdxl-trainer/hub (only the subfolder's config and safetensors of the variant are fetched; offline from the cache).
 */
export async function resolveModelFiles(root: string, options: PretrainedOptions, format: WeightsFormat): Promise<ModelFiles> {
  if (!(await isDirectory(root))) {
    if (HUB_ID.test(root) && !(await exists(root))) return resolveModelFiles(await fromHub(root, options), options, format);
    throw new SdxlError(ErrorCode.FILE_NOT_FOUND, `model folder ${root} does not exist or is not a folder`, { details: { file: root } });
  }
  const folder = options.subfolder === undefined || options.subfolder === '' ? root : join(root, options.subfolder);
  if (!(await isDirectory(folder))) {
    throw new SdxlError(ErrorCode.FILE_NOT_FOUND, `model folder ${root} has no subfolder "${options.subfolder}"`, { details: { file: folder } });
  }
  const configPath = join(folder, 'config.json');
  if (!(await exists(configPath))) throw new SdxlError(ErrorCode.FILE_NOT_FOUND, `${folder} has no config.json`, { details: { file: configPath } });

  const base = WEIGHTS_BASE_NAME[format];
  const variant = options.variant === undefined || options.variant === '' ? '' : `.${options.variant}`;
  const single = join(folder, `${base}${variant}.safetensors`);
  const index = join(folder, `${base}.safetensors.index${variant}.json`);
  if (await exists(single)) return { folder, configPath, weightsPath: single };
  if (await exists(index)) return { folder, configPath, weightsPath: index };

  const pickle = PICKLE_BASE_NAME[format];
  const pickles = [`${pickle}${variant}.bin`, `${pickle}.bin.index${variant}.json`];
  for (const name of pickles) {
    if (await exists(join(folder, name))) {
      throw new SdxlError(
        ErrorCode.MODEL_WEIGHTS_FORMAT_UNSUPPORTED,
        `${folder} holds only PyTorch pickle weights (${name}); @sdxl-trainer/models reads safetensors only. Convert them, e.g. in Python: \`Model.from_pretrained(dir).save_pretrained(dir, safe_serialization=True)\``,
        { details: { file: join(folder, name) } },
      );
    }
  }
  throw new SdxlError(
    ErrorCode.FILE_NOT_FOUND,
    `${folder} has no weights: looked for ${base}${variant}.safetensors and ${base}.safetensors.index${variant}.json${variant === '' ? '' : ` (variant "${options.variant}")`}`,
    { details: { file: single, variant: options.variant } },
  );
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Download (or find in the HF cache) just the files this component needs, and return the snapshot folder. */
async function fromHub(id: string, options: PretrainedOptions): Promise<string> {
  const subfolder = options.subfolder === undefined || options.subfolder === '' ? undefined : options.subfolder;
  const resolved = await resolveRepo(id, {
    type: 'model',
    revision: options.revision,
    variant: options.variant,
    cacheDir: options.cacheDir,
    token: options.token,
    endpoint: options.endpoint,
    offline: options.offline,
    ...(subfolder === undefined ? {} : { subfolders: [subfolder] }),
  });
  return resolved.path;
}
