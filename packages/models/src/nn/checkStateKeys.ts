import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

const LISTED = 10;

/**
 * Compares the tensors a model needs with the tensors a source offers and throws one MODEL_WEIGHTS_MISMATCH naming
 * every missing, unexpected and wrong-shape key (the first few of each, and how many there are). `ignored` keys (known
 * buffers such as position_ids) may be present or absent.
 */
export function checkStateKeys(
  source: string,
  expected: ReadonlyMap<string, readonly number[]>,
  available: ReadonlyMap<string, readonly number[]>,
  ignored: ReadonlySet<string>,
): void {
  const missing = [...expected.keys()].filter((name) => !available.has(name));
  const unexpected = [...available.keys()].filter((name) => !expected.has(name) && !ignored.has(name));
  const wrongShape: string[] = [];
  for (const [name, shape] of expected) {
    const found = available.get(name);
    if (found !== undefined && !sameShape(found, shape)) wrongShape.push(`${name}: expected [${shape.join(', ')}], found [${found.join(', ')}]`);
  }
  if (missing.length + unexpected.length + wrongShape.length === 0) return;
  const parts = [
    describe('missing', missing),
    describe('unexpected', unexpected),
    describe('wrong shape', wrongShape),
  ].filter((part) => part !== '');
  throw new SdxlError(
    ErrorCode.MODEL_WEIGHTS_MISMATCH,
    `${source} does not match the model built from its config: ${parts.join('; ')}. Check that the weights and config.json belong together (and the model class)`,
    { details: { file: source, missing, unexpected, wrongShape } },
  );
}

function describe(kind: string, names: readonly string[]): string {
  if (names.length === 0) return '';
  const more = names.length > LISTED ? `, ... (${names.length - LISTED} more)` : '';
  return `${names.length} ${kind} (${names.slice(0, LISTED).join(', ')}${more})`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}
