import type { InjectionToken, Trainer } from '@sdxl-trainer/core';
import type { CheckpointWriter } from './writeCheckpoint.js';

/** What other plugins may do with a run's checkpointing: add files to every checkpoint, learn where they are. */
export interface CheckpointingApi {
  /** The folder that holds the `checkpoint-<step>` folders. */
  readonly outputDir: string;
  /**
   * Add files to every checkpoint while it is still a temporary folder, so they share its atomic rename
   * (the SDXL preset writes the diffusers `unet/` folder this way).
   */
  addWriter(writer: CheckpointWriter): void;
  /** Folder of the last checkpoint this run wrote. */
  readonly lastSaved: string | undefined;
  /** Folder this run resumed from. */
  readonly resumedFrom: string | undefined;
}

/** DI token of the run's {@link CheckpointingApi} (`Symbol.for`, so it can be looked up without importing this package). */
export const CheckpointingApi: InjectionToken<CheckpointingApi> = Symbol.for('@sdxl-trainer/plugin-checkpointing:Checkpointing');

// why: webpack's getHooks(compilation) pattern — per-trainer data other plugins can reach, gone with the trainer.
const registry = new WeakMap<Trainer, CheckpointingApi>();

/** The checkpointing of a trainer the plugin was applied to, or undefined. */
export function getCheckpointing(trainer: Trainer): CheckpointingApi | undefined {
  return registry.get(trainer);
}

/** Record a trainer's checkpointing (called by the plugin in `apply`). */
export function registerCheckpointing(trainer: Trainer, checkpointing: CheckpointingApi): void {
  registry.set(trainer, checkpointing);
}
