import { resolve } from 'node:path';
import { configError, type ConfigProblem } from '@sdxl-trainer/core';
import { readNetrcApiKey } from './readNetrcApiKey.js';
import { generateRunId } from './runId.js';
import { DEFAULT_PROJECT, isValidRunId, type ResolvedWandbOptions } from './wandbOptions.js';

/** The W&B server used when WANDB_BASE_URL is not set. */
export const DEFAULT_BASE_URL = 'https://api.wandb.ai';

/** Everything the reporter needs to know, from options over environment over defaults. */
export interface WandbSettings {
  readonly mode: 'online' | 'offline' | 'disabled';
  readonly project: string;
  readonly entity: string | undefined;
  readonly displayName: string | undefined;
  readonly runId: string;
  /** Whether the id came from the user (WANDB_RUN_ID / `id`): only then can the run already exist. */
  readonly runIdGiven: boolean;
  readonly resume: 'allow' | 'must' | 'never' | undefined;
  readonly tags: readonly string[];
  readonly notes: string | undefined;
  readonly group: string | undefined;
  /** The `wandb/` folder that holds run folders. */
  readonly wandbDir: string;
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  /** Why the mode differs from what was asked (no API key → offline), for one log line. */
  readonly note: string | undefined;
}

const MODES: Readonly<Record<string, WandbSettings['mode']>> = { online: 'online', run: 'online', offline: 'offline', dryrun: 'offline', disabled: 'disabled' };
const RESUMES: Readonly<Record<string, WandbSettings['resume']>> = { allow: 'allow', auto: 'allow', true: 'allow', must: 'must', never: 'never' };

/**
 * Resolves the reporter's settings: each option overrides its WANDB_* variable (WANDB_API_KEY, WANDB_BASE_URL,
 * WANDB_PROJECT, WANDB_ENTITY, WANDB_NAME, WANDB_RUN_ID, WANDB_RESUME, WANDB_MODE — `dryrun` means offline,
 * WANDB_DISABLED=true means disabled —, WANDB_DIR, WANDB_TAGS, WANDB_NOTES, WANDB_RUN_GROUP); the API key falls back
 * to the netrc entry of the server's host. Online without any API key becomes offline (with a `note`). A bad
 * variable throws CONFIG_INVALID naming it.
 */
export function resolveWandbSettings(options: ResolvedWandbOptions, env: Readonly<Record<string, string | undefined>>, outputDir: string): WandbSettings {
  const problems: ConfigProblem[] = [];
  const variable = (name: string, expected: string, valid: (value: string) => boolean): string | undefined => {
    const value = nonEmpty(env[name]);
    if (value === undefined || valid(value)) return value;
    problems.push({ path: name, value, expected, message: `environment variable ${name}: got "${value}"; expected ${expected}` });
    return undefined;
  };
  const envMode = variable('WANDB_MODE', '"online", "offline" or "disabled"', (v) => v.toLowerCase() in MODES);
  const envResume = variable('WANDB_RESUME', '"allow", "auto", "must" or "never"', (v) => v.toLowerCase() in RESUMES);
  const envRunId = variable('WANDB_RUN_ID', 'a run id of 1 to 64 characters without / \\ # ? % : or spaces', isValidRunId);
  const envBaseUrl = variable('WANDB_BASE_URL', 'a URL such as https://api.wandb.ai', (v) => URL.canParse(v));
  if (problems.length > 0) throw configError('wandb()', problems);

  const disabledByFlag = ['true', '1', 'yes'].includes((env['WANDB_DISABLED'] ?? '').toLowerCase());
  const asked = options.mode ?? (envMode ? MODES[envMode.toLowerCase()] : undefined) ?? (disabledByFlag ? 'disabled' : 'online');
  const baseUrl = (options.baseUrl ?? envBaseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const apiKey = options.apiKey ?? nonEmpty(env['WANDB_API_KEY']) ?? (asked === 'online' ? readNetrcApiKey(new URL(baseUrl).host, env) : undefined);
  const offlineForKey = asked === 'online' && apiKey === undefined;
  const root = options.dir ?? nonEmpty(env['WANDB_DIR']) ?? outputDir;
  const id = options.id ?? envRunId;
  return {
    mode: offlineForKey ? 'offline' : asked,
    project: options.project ?? nonEmpty(env['WANDB_PROJECT']) ?? DEFAULT_PROJECT,
    entity: options.entity ?? nonEmpty(env['WANDB_ENTITY']),
    displayName: options.name ?? nonEmpty(env['WANDB_NAME']),
    runId: id ?? generateRunId(),
    runIdGiven: id !== undefined,
    resume: options.resume ? RESUMES[options.resume] : envResume ? RESUMES[envResume.toLowerCase()] : undefined,
    tags: options.tags ?? (env['WANDB_TAGS'] ?? '').split(',').map((t) => t.trim()).filter(Boolean),
    notes: options.notes ?? nonEmpty(env['WANDB_NOTES']),
    group: options.group ?? nonEmpty(env['WANDB_RUN_GROUP']),
    wandbDir: resolve(root, 'wandb'),
    baseUrl,
    apiKey,
    note: offlineForKey
      ? `no W&B API key (set WANDB_API_KEY or run \`wandb login\`, which writes ~/.netrc for ${new URL(baseUrl).host}): logging offline`
      : undefined,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
