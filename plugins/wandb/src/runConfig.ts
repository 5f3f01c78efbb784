import type { ResolvedConfig } from '@sdxl-trainer/core';

/** A W&B run config: `{ key: { value } }` (wandb core's runconfig serialisation). */
export type WandbConfig = Readonly<Record<string, { readonly value: unknown }>>;

/**
 * The run's config as W&B stores it — the script logs `vars(args)` through `init_trackers(..., config=...)`; here it
 * is the core config without `plugins` (functions), with the seed the run actually uses, then `extra` on top.
 */
export function runConfig(config: ResolvedConfig, seed: number, extra: Readonly<Record<string, unknown>> = {}): WandbConfig {
  const entries = Object.entries({ ...config, seed, ...extra }).filter(([key, value]) => (key !== 'plugins' || key in extra) && value !== undefined && typeof value !== 'function');
  return Object.fromEntries(entries.map(([key, value]) => [key, { value: jsonValue(value) }]));
}

function jsonValue(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    // why: a value JSON cannot hold (a cycle, a BigInt) is still shown, as its string.
    return String(value);
  }
}
