import { z } from 'zod';

/** Options of the checkpointing plugin; each mirrors a flag of diffusers' train_text_to_image_sdxl.py. */
export const checkpointingOptionsSchema = z
  .object({
    /** Folder that holds the `checkpoint-<step>` folders (default: the run's `outputDir`, as the script's `--output_dir`). */
    outputDir: z.string().min(1).optional(),
    /**
     * Also save every N optimizer steps (`--checkpointing_steps`). Core already asks for a checkpoint every
     * `checkpointingSteps` of the run config; this adds a cadence, it cannot remove core's.
     */
    checkpointingSteps: z.number().int().positive().optional(),
    /** Keep at most this many checkpoints, removing the oldest (`--checkpoints_total_limit`). */
    totalLimit: z.number().int().positive().optional(),
    /** Resume from `'latest'`, a checkpoint folder path, or a folder name under `outputDir` (`--resume_from_checkpoint`). */
    resumeFrom: z.string().min(1).optional(),
  })
  .strict();

/** Options of {@link checkpointingOptionsSchema} as a user writes them. */
export type CheckpointingOptions = z.input<typeof checkpointingOptionsSchema>;

/** What each option accepts, for error messages. */
export const CHECKPOINTING_OPTION_EXPECTED: Readonly<Record<keyof CheckpointingOptions, string>> = {
  outputDir: 'a folder path',
  checkpointingSteps: 'a positive integer (--checkpointing_steps)',
  totalLimit: 'a positive integer (--checkpoints_total_limit)',
  resumeFrom: '"latest", a checkpoint folder path or a folder name (--resume_from_checkpoint)',
};
