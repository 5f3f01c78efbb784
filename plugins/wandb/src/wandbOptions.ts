import type { OptionDescription } from '@sdxl-trainer/core';
import { z } from 'zod';

/** The project accelerate's tracker gets from the SDXL script: `init_trackers("text2image-fine-tune-sdxl", ...)`. */
export const DEFAULT_PROJECT = 'text2image-fine-tune-sdxl';

// why: W&B refuses these characters in run ids (they end up in URLs and file paths).
const RUN_ID = /^[^/\\#?%:\s]{1,64}$/;

/** Options of the W&B reporter (`--report_to wandb`). Each overrides its environment variable. */
export const wandbOptionsSchema = z
  .object({
    /** Project of the run (WANDB_PROJECT). Default `text2image-fine-tune-sdxl`, as the script's init_trackers. */
    project: z.string().min(1).optional(),
    /** User or team that owns the run (WANDB_ENTITY). Default: the API key's default entity. */
    entity: z.string().min(1).optional(),
    /** Display name of the run (WANDB_NAME). Default: W&B's generated name. */
    name: z.string().min(1).optional(),
    /** Run id (WANDB_RUN_ID): reuse one to resume a run. Default: 8 random base-36 characters. */
    id: z.string().regex(RUN_ID).optional(),
    /** What to do when the run id exists (WANDB_RESUME): `allow`/`auto` append, `must` requires it, `never` refuses it. */
    resume: z.enum(['allow', 'auto', 'must', 'never']).optional(),
    /** `online` sends while training; `offline` only writes the run folder (sync it later); `disabled` does nothing (WANDB_MODE). */
    mode: z.enum(['online', 'offline', 'disabled']).optional(),
    /** Folder that holds `wandb/` with the run folders (WANDB_DIR). Default: the run's outputDir. */
    dir: z.string().min(1).optional(),
    /** Run tags (WANDB_TAGS, comma-separated). */
    tags: z.array(z.string().min(1).max(64)).optional(),
    /** Run notes (WANDB_NOTES). */
    notes: z.string().optional(),
    /** Run group (WANDB_RUN_GROUP). */
    group: z.string().min(1).optional(),
    /** More config entries, merged over the run's config. */
    config: z.record(z.string(), z.unknown()).optional(),
    /** API key (WANDB_API_KEY, else ~/.netrc). Prefer the environment to a config file. */
    apiKey: z.string().min(1).optional(),
    /** Server URL (WANDB_BASE_URL). Default https://api.wandb.ai. */
    baseUrl: z.url().optional(),
    /** Seconds between sends while training. Default 10. */
    flushSeconds: z.number().positive().default(10),
    /** How long the end of the run waits for the last sends; what is not delivered stays in the run folder. Default 60. */
    finishTimeoutSeconds: z.number().nonnegative().default(60),
    /** Environment to read the WANDB_* variables from, instead of `process.env`. */
    env: z.record(z.string(), z.string()).optional(),
  })
  .strict();

/** Options of {@link wandbOptionsSchema} as a user writes them. */
export type WandbOptions = z.input<typeof wandbOptionsSchema>;

/** Options after validation, defaults filled. */
export type ResolvedWandbOptions = z.output<typeof wandbOptionsSchema>;

/** What each option accepts, for error messages. */
export const WANDB_OPTION_EXPECTED: Readonly<Record<keyof WandbOptions, OptionDescription>> = {
  project: { flag: 'WANDB_PROJECT', expected: 'a project name' },
  entity: { flag: 'WANDB_ENTITY', expected: 'a user or team name' },
  name: { flag: 'WANDB_NAME', expected: 'a display name' },
  id: { flag: 'WANDB_RUN_ID', expected: 'a run id of 1 to 64 characters without / \\ # ? % : or spaces' },
  resume: { flag: 'WANDB_RESUME', expected: '"allow", "auto", "must" or "never"' },
  mode: { flag: 'WANDB_MODE', expected: '"online", "offline" or "disabled"' },
  dir: { flag: 'WANDB_DIR', expected: 'a folder path' },
  tags: { flag: 'WANDB_TAGS', expected: 'an array of tags of 1 to 64 characters' },
  notes: { flag: 'WANDB_NOTES', expected: 'a string' },
  group: { flag: 'WANDB_RUN_GROUP', expected: 'a group name' },
  config: 'an object of extra config entries',
  apiKey: { flag: 'WANDB_API_KEY', expected: 'a W&B API key' },
  baseUrl: { flag: 'WANDB_BASE_URL', expected: 'a URL such as https://api.wandb.ai' },
  flushSeconds: 'a positive number of seconds',
  finishTimeoutSeconds: 'a non-negative number of seconds',
  env: 'an object of environment variables (strings)',
};

/** A run id W&B accepts. */
export function isValidRunId(id: string): boolean {
  return RUN_ID.test(id);
}
