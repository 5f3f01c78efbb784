import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/** A huggingface `*.safetensors.index.json`: which shard file holds each tensor. */
export interface ShardIndex {
  /** Tensor name -> absolute path of its shard. */
  readonly weightMap: ReadonlyMap<string, string>;
  /** The index's own `metadata` object (huggingface writes `{ total_size }`). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** Reads and validates a sharded index; shard paths resolve against the index's folder and must stay inside it. */
export async function readShardIndex(indexPath: string): Promise<ShardIndex> {
  let text: string;
  try {
    text = await readFile(indexPath, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? ErrorCode.FILE_NOT_FOUND : ErrorCode.SAFETENSORS_INVALID;
    throw new SdxlError(code, `${indexPath}: cannot read safetensors index (${(cause as Error).message})`, { details: { file: indexPath }, cause });
  }
  const invalid = (what: string): SdxlError =>
    new SdxlError(ErrorCode.SAFETENSORS_INVALID, `${indexPath}: invalid safetensors index: ${what}`, { details: { file: indexPath } });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new SdxlError(ErrorCode.SAFETENSORS_INVALID, `${indexPath}: the safetensors index is not valid JSON (${(cause as Error).message})`, {
      details: { file: indexPath },
      cause,
    });
  }
  if (!isObject(json) || !isObject(json.weight_map)) throw invalid('expected an object with a "weight_map" object');
  const metadata = json.metadata === undefined ? {} : json.metadata;
  if (!isObject(metadata)) throw invalid('"metadata" must be an object');

  const folder = dirname(resolve(indexPath));
  const weightMap = new Map<string, string>();
  for (const [name, shard] of Object.entries(json.weight_map)) {
    if (typeof shard !== 'string' || shard === '') throw invalid(`weight_map["${name}"] is ${JSON.stringify(shard)}; expected a file name`);
    const path = resolve(folder, shard);
    const inside = relative(folder, path);
    if (isAbsolute(shard) || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      throw invalid(`weight_map["${name}"] = ${JSON.stringify(shard)} points outside the index folder ${folder}`);
    }
    weightMap.set(name, path);
  }
  return { weightMap, metadata: Object.freeze({ ...metadata }) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
