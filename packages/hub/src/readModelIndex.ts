import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { readFile } from 'node:fs/promises';

/**
 * The component folders a pipeline's `model_index.json` names: every key whose value is a `[library, class]` list,
 * except `_class_name` (diffusers `_get_custom_components_and_folders`).
 */
export async function readModelIndexComponents(path: string): Promise<string[]> {
  let index: unknown;
  try {
    index = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new SdxlError(ErrorCode.FILE_INVALID, `${path} is not valid JSON: ${(error as Error).message}`, { details: { file: path }, cause: error });
  }
  if (typeof index !== 'object' || index === null || Array.isArray(index)) {
    throw new SdxlError(ErrorCode.FILE_INVALID, `${path} must hold a JSON object (a diffusers model_index.json).`, { details: { file: path } });
  }
  return Object.entries(index)
    .filter(([key, value]) => key !== '_class_name' && Array.isArray(value))
    .map(([key]) => key)
    .sort();
}
