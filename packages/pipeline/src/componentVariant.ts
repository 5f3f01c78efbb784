import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WEIGHTS_BASE_NAME, type WeightsFormat } from '@sdxl-trainer/models';

/**
 * Whether `<folder>/<subfolder>` holds weights of `variant` (`<base>.<variant>.safetensors` or the sharded
 * `<base>.safetensors.index.<variant>.json`), the names diffusers' `variant=` looks for.
 */
export async function hasVariantWeights(folder: string, subfolder: string, variant: string, format: WeightsFormat): Promise<boolean> {
  const base = WEIGHTS_BASE_NAME[format];
  for (const name of [`${base}.${variant}.safetensors`, `${base}.safetensors.index.${variant}.json`]) {
    try {
      if ((await stat(join(folder, subfolder, name))).isFile()) return true;
    } catch {
      // not there: try the next name
    }
  }
  return false;
}
