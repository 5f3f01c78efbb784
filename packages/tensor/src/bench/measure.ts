/** One timing: the median of `reps` runs after one warm-up run. */
export interface Timing {
  readonly ms: number;
  readonly reps: number;
}

/**
 * Times `run` (which must finish its work synchronously, e.g. end in `dataSync()`): one warm-up, then
 * repeats until `budgetMs` is spent or `maxReps` runs are done (at least `minReps`), and takes the median.
 * A warm-up slower than `budgetMs` is itself the result (slow cpu kernels run once).
 */
export function measure(run: () => void, options: { budgetMs?: number; minReps?: number; maxReps?: number } = {}): Timing {
  const budgetMs = options.budgetMs ?? 1500;
  const minReps = options.minReps ?? 3;
  const maxReps = options.maxReps ?? 20;
  const t0 = performance.now();
  run();
  const warm = performance.now() - t0;
  if (warm > budgetMs) return { ms: warm, reps: 1 };
  const times: number[] = [];
  const start = performance.now();
  while (times.length < maxReps && (times.length < minReps || performance.now() - start < budgetMs)) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: round(times[Math.floor(times.length / 2)] as number), reps: times.length };
}

/** Rounds to 3 significant digits (enough for a noisy shared machine). */
export function round(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 6)));
}
