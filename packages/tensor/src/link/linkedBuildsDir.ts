import os from 'node:os';
import path from 'node:path';

/**
 * The per-user folder that holds linked tfjs-node builds:
 * `$XDG_CACHE_HOME/sdxl-trainer/tfjs-node`, or `~/.cache/sdxl-trainer/tfjs-node`.
 */
export function linkedBuildsDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
  return path.join(cache, 'sdxl-trainer', 'tfjs-node');
}
