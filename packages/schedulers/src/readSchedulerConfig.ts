import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/** Where {@link readSchedulerConfig} looks: `<folder>/<subfolder>/scheduler_config.json`. */
export interface FromPretrainedOptions {
  /** Folder inside `folder`, e.g. "scheduler" for a diffusers pipeline folder. */
  readonly subfolder?: string;
  /** Fields that replace the file's (diffusers `from_pretrained(..., **kwargs)`), e.g. `{ prediction_type: 'v_prediction' }`. */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

/** Reads a diffusers `scheduler_config.json` and applies the overrides. */
export async function readSchedulerConfig(folder: string, options: FromPretrainedOptions = {}): Promise<Record<string, unknown>> {
  const path = join(folder, options.subfolder ?? '', 'scheduler_config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new SdxlError(missing ? ErrorCode.FILE_NOT_FOUND : ErrorCode.SCHEDULER_CONFIG_INVALID, `${path}: cannot read scheduler config (${(cause as Error).message})`, {
      details: { file: path },
      cause,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new SdxlError(ErrorCode.SCHEDULER_CONFIG_INVALID, `${path}: not valid JSON (${(cause as Error).message})`, { details: { file: path }, cause });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SdxlError(ErrorCode.SCHEDULER_CONFIG_INVALID, `${path}: expected a JSON object`, { details: { file: path } });
  }
  return { ...(json as Record<string, unknown>), ...options.overrides };
}
