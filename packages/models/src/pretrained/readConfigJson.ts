import { readFile } from 'node:fs/promises';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/** Reads a config.json into a plain object; unreadable or non-object JSON is MODEL_CONFIG_INVALID naming the file. */
export async function readConfigJson(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new SdxlError(missing ? ErrorCode.FILE_NOT_FOUND : ErrorCode.MODEL_CONFIG_INVALID, `${path}: cannot read the config (${(cause as Error).message})`, {
      details: { file: path },
      cause,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new SdxlError(ErrorCode.MODEL_CONFIG_INVALID, `${path}: not valid JSON (${(cause as Error).message})`, { details: { file: path }, cause });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SdxlError(ErrorCode.MODEL_CONFIG_INVALID, `${path}: expected a JSON object`, { details: { file: path } });
  }
  return json as Record<string, unknown>;
}
