import { z } from 'zod';

/** Options of the TensorBoard reporter (`--report_to tensorboard`, the script's default, and `--logging_dir`). */
export const tensorboardOptionsSchema = z
  .object({
    /** Folder of the event files; relative to `outputDir` as the script's `--logging_dir` (default `logs`). */
    logDir: z.string().min(1).optional(),
    /** Seconds between flushes to disk (with fsync); also flushed at the end of the run. Default 120, as torch's SummaryWriter. */
    flushSeconds: z.number().positive().default(120),
  })
  .strict();

/** Options of {@link tensorboardOptionsSchema} as a user writes them. */
export type TensorboardOptions = z.input<typeof tensorboardOptionsSchema>;

/** What each option accepts, for error messages. */
export const TENSORBOARD_OPTION_EXPECTED: Readonly<Record<keyof TensorboardOptions, string>> = {
  logDir: 'a folder path (--logging_dir)',
  flushSeconds: 'a positive number of seconds',
};
