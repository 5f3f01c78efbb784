/**
 * JSON text of `value` in W&B's extended JSON: non-finite numbers are written as the bare tokens `NaN`, `Infinity`
 * and `-Infinity`, as wandb core's runhistory/runsummary do, instead of JSON.stringify's `null`.
 */
export function stringifyExtendedJson(value: unknown): string {
  const tokens: string[] = [];
  // why: a placeholder with a NUL and a per-call nonce, which metric names and captions will not contain.
  const nonce = Math.random().toString(36).slice(2, 10);
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'number' || Number.isFinite(v)) return v;
    tokens.push(Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity');
    return `\u0000${nonce}:${tokens.length - 1}`;
  });
  if (tokens.length === 0) return text;
  return text.replace(new RegExp(`"\\\\u0000${nonce}:(\\d+)"`, 'g'), (_m, i: string) => tokens[Number(i)] as string);
}
