const TOKENS = ['-Infinity', 'Infinity', 'NaN'] as const;
const VALUES: Record<(typeof TOKENS)[number], number> = { '-Infinity': -Infinity, Infinity: Infinity, NaN: NaN };
// why: a marker no JSON text from a client can contain unescaped, so the reviver cannot confuse it with a real string.
const MARK = '\u0000nonfinite:';

/**
 * Parses W&B's extended JSON: JSON plus the bare tokens `NaN`, `Infinity` and `-Infinity` as numbers, which the
 * SDK writes into history and summary lines (wandb core's runhistory "extension of JSON that supports ±Infinity").
 */
export function parseExtendedJson(text: string): unknown {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (inString) {
      out += char;
      if (char === '\\') out += text[++i] ?? '';
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      out += char;
      continue;
    }
    const token = TOKENS.find((t) => text.startsWith(t, i));
    if (token !== undefined) {
      out += JSON.stringify(MARK + token);
      i += token.length - 1;
      continue;
    }
    out += char;
  }
  return JSON.parse(out, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(MARK) ? VALUES[value.slice(MARK.length) as (typeof TOKENS)[number]] : value,
  );
}
