import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the Hub is, who we are and where the cache lives, after options and environment are merged. */
export interface HubSettings {
  /** Hub base URL without a trailing slash. */
  readonly endpoint: string;
  readonly token: string | undefined;
  /** The hub cache folder (`.../huggingface/hub`), holding `models--org--name` folders. */
  readonly cacheDir: string;
  readonly offline: boolean;
}

/** Settings a caller may pass; each one wins over its environment variable. */
export interface HubSettingsOptions {
  readonly endpoint?: string | undefined;
  readonly token?: string | undefined;
  readonly cacheDir?: string | undefined;
  readonly offline?: boolean | undefined;
  /** Environment to read (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/** Hugging Face's public Hub. */
export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/**
 * Merges options with the environment variables huggingface_hub reads (`constants.py`, `utils/_auth.py`), since
 * @huggingface/hub reads none of HF_TOKEN / HF_ENDPOINT / HF_HUB_OFFLINE itself:
 * - endpoint: `HF_ENDPOINT`, else https://huggingface.co;
 * - token: `HF_TOKEN`, `HUGGING_FACE_HUB_TOKEN`, then the file `huggingface-cli login` writes
 *   (`HF_TOKEN_PATH`, default `$HF_HOME/token`);
 * - cache: `HF_HUB_CACHE`, `HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub` with `HF_HOME` defaulting to
 *   `$XDG_CACHE_HOME/huggingface` or `~/.cache/huggingface`;
 * - offline: `HF_HUB_OFFLINE` (or `TRANSFORMERS_OFFLINE`) set to 1 / ON / YES / TRUE.
 */
export function hubSettings(options: HubSettingsOptions = {}): HubSettings {
  const env = options.env ?? process.env;
  const home = expandHome(env.HF_HOME || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface'));
  const endpoint = (options.endpoint ?? (env.HF_ENDPOINT || DEFAULT_HUB_ENDPOINT)).replace(/\/+$/, '');
  const token =
    cleanToken(options.token) ??
    cleanToken(env.HF_TOKEN) ??
    cleanToken(env.HUGGING_FACE_HUB_TOKEN) ??
    readTokenFile(expandHome(env.HF_TOKEN_PATH || join(home, 'token')));
  const cacheDir = expandHome(options.cacheDir ?? (env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE || join(home, 'hub')));
  const offline = options.offline ?? isTrue(env.HF_HUB_OFFLINE || env.TRANSFORMERS_OFFLINE);
  return { endpoint, token, cacheDir, offline };
}

/** huggingface_hub's `_is_true`: 1, ON, YES, TRUE in any case. */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['1', 'ON', 'YES', 'TRUE'].includes(value.toUpperCase());
}

/** huggingface_hub's `_clean_token`: no line breaks, trimmed, empty means none. */
function cleanToken(token: string | undefined): string | undefined {
  const cleaned = token?.replace(/[\r\n]/g, '').trim();
  return cleaned === undefined || cleaned === '' ? undefined : cleaned;
}

function readTokenFile(path: string): string | undefined {
  try {
    return cleanToken(readFileSync(path, 'utf8'));
  } catch {
    return undefined; // why: no stored login is the common case, not an error.
  }
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}
