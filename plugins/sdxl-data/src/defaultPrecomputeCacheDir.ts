import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where precomputed text embeddings and latents go when `precomputeCacheDir` is not given: a cache shared by every
 * run of the user, as the script's own `datasets.map` cache lives in the shared 🤗 datasets cache. Entries are keyed
 * by content and model identity, so sharing is safe and a new output folder or learning rate reuses them.
 * `$SDXL_TRAINER_CACHE/precompute`, else `$XDG_CACHE_HOME/sdxl-trainer/precompute`, else `~/.cache/sdxl-trainer/precompute`.
 */
export function defaultPrecomputeCacheDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const own = env['SDXL_TRAINER_CACHE'];
  if (own) return join(own, 'precompute');
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg ? xdg : join(home, '.cache'), 'sdxl-trainer', 'precompute');
}
