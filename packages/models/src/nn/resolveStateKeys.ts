import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/**
 * Maps a source's tensor names to current parameter names with `rename` (a checkpoint written by an older library
 * version; identity for current names): returns current name -> source name. Two source names for one parameter
 * (an old and a new spelling side by side) is a MODEL_WEIGHTS_MISMATCH naming both.
 */
export function resolveStateKeys(source: string, keys: Iterable<string>, rename: (key: string) => string): Map<string, string> {
  const resolved = new Map<string, string>();
  for (const key of keys) {
    const name = rename(key);
    const previous = resolved.get(name);
    if (previous !== undefined) {
      throw new SdxlError(ErrorCode.MODEL_WEIGHTS_MISMATCH, `${source} holds "${previous}" and "${key}", two names for the same parameter "${name}"; keep one`, {
        details: { file: source, tensor: name, names: [previous, key] },
      });
    }
    resolved.set(name, key);
  }
  return resolved;
}
