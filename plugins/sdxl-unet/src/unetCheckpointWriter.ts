import { join } from 'node:path';
import type { CheckpointContext, InjectionToken, Trainer } from '@sdxl-trainer/core';
import type { UNet2DConditionModel } from '@sdxl-trainer/models';

/** What this plugin uses of the checkpointing plugin's API: adding files to every checkpoint before its atomic rename. */
export interface CheckpointWriters {
  addWriter(writer: { readonly name: string; write(folder: string, context: CheckpointContext): Promise<void> }): void;
}

/**
 * The checkpointing plugin's DI token (`Symbol.for`, so it is found without importing that plugin; a plugin never
 * imports another).
 */
export const CHECKPOINT_WRITERS: InjectionToken<CheckpointWriters> = Symbol.for('@sdxl-trainer/plugin-checkpointing:Checkpointing');

/**
 * When the run writes checkpoints, put the diffusers `unet/` folder into each one, as the script's
 * `save_model_hook` does (`model.save_pretrained(os.path.join(output_dir, "unet"))`). False when no checkpointing
 * plugin is present.
 */
export function addUnetCheckpointWriter(trainer: Trainer, name: string, unet: () => UNet2DConditionModel): boolean {
  if (!trainer.container.isRegistered(CHECKPOINT_WRITERS, true)) return false;
  trainer.container.resolve(CHECKPOINT_WRITERS).addWriter({ name, write: (folder) => unet().savePretrained(join(folder, 'unet')) });
  return true;
}
