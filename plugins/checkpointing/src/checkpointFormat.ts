import { z } from 'zod';

/** Version of the checkpoint layout this package writes; a reader refuses newer ones. */
export const CHECKPOINT_FORMAT_VERSION = 1;

/** The file names of a checkpoint folder. */
export const CHECKPOINT_FILES = {
  state: 'trainer_state.json',
  model: 'model.safetensors',
  optimizer: 'optimizer.safetensors',
  plugins: 'plugins.safetensors',
} as const;

/** The tensor files of a checkpoint, in the order they are written. */
export const TENSOR_FILES = [CHECKPOINT_FILES.model, CHECKPOINT_FILES.optimizer, CHECKPOINT_FILES.plugins] as const;

/** One tensor file in the manifest: its size (a truncated file is caught before parsing) and the tensors it holds. */
const tensorFileSchema = z.object({ bytes: z.number().int().nonnegative(), tensors: z.array(z.string()) });

/** The JSON object that stands for a tensor leaf of plugin state: its name in plugins.safetensors. */
export const tensorRefSchema = z.object({ $tensor: z.string() }).strict();

/** A reference to a tensor in plugins.safetensors. */
export type TensorRef = z.infer<typeof tensorRefSchema>;

/** trainer_state.json: everything of a snapshot that is not a tensor, and a manifest of the tensor files. */
export const trainerStateFileSchema = z.object({
  format: z.literal('sdxl-trainer-checkpoint'),
  formatVersion: z.number().int().positive(),
  /** The optimizer step the checkpoint was taken after. */
  step: z.number().int().nonnegative(),
  savedAt: z.string(),
  /** Core's TrainerStateData (checked field by field by core on restore). */
  state: z.record(z.string(), z.number()),
  /** Every random stream's state. */
  rng: z.record(z.string(), z.object({ words: z.tuple([z.number(), z.number(), z.number(), z.number()]), spareNormal: z.number().nullable() })),
  lrScheduler: z.looseObject({ stepCount: z.number().int().nonnegative() }),
  /** The optimizer's step and JSON facts; its tensors are in optimizer.safetensors. */
  optimizer: z.object({ step: z.number().int().nonnegative(), extra: z.record(z.string(), z.unknown()).optional() }),
  /** Every stateful plugin's state by state key, tensor leaves replaced by `{ "$tensor": name }`. */
  plugins: z.record(z.string(), z.record(z.string(), z.unknown())),
  /** The tensor files by file name. */
  files: z.object({
    [CHECKPOINT_FILES.model]: tensorFileSchema,
    [CHECKPOINT_FILES.optimizer]: tensorFileSchema,
    [CHECKPOINT_FILES.plugins]: tensorFileSchema,
  }),
});

/** The parsed trainer_state.json. */
export type TrainerStateFile = z.infer<typeof trainerStateFileSchema>;
