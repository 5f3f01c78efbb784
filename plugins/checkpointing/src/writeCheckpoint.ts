import type { CheckpointContext } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError, isSdxlError } from '@sdxl-trainer/errors';
import { writeSafetensors, type TensorToWrite } from '@sdxl-trainer/safetensors';
import type * as tf from '@tensorflow/tfjs-core';
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkpointName } from './checkpointFolders.js';
import { CHECKPOINT_FILES, CHECKPOINT_FORMAT_VERSION, TENSOR_FILES, type TrainerStateFile } from './checkpointFormat.js';
import { splitPluginState } from './pluginStateCodec.js';
import { syncFolder } from '@sdxl-trainer/safetensors';
import { tensorToWrite } from './tensorCodec.js';

/** Adds files to a checkpoint while it is still a temporary folder, so they are renamed into place with it. */
export interface CheckpointWriter {
  /** Who writes (shown when it fails). */
  readonly name: string;
  write(folder: string, context: CheckpointContext): Promise<void>;
}

/**
 * Write `<outputDir>/checkpoint-<step>/` atomically: everything goes into `checkpoint-<step>.tmp-<random>/`
 * (tensor files, then the extra writers, then trainer_state.json), every file and the folder are fsynced, and the
 * folder is renamed into place. A failure at any point removes the temporary folder and leaves every existing
 * checkpoint as it was. Returns the checkpoint's folder.
 */
export async function writeCheckpoint(outputDir: string, context: CheckpointContext, writers: readonly CheckpointWriter[] = []): Promise<string> {
  const { step, snapshot } = context;
  const final = join(outputDir, checkpointName(step));
  const temporary = `${final}.tmp-${randomBytes(6).toString('hex')}`;
  await mkdir(outputDir, { recursive: true });
  await mkdir(temporary);
  try {
    const plugins = splitPluginState(snapshot.plugins);
    const groups: Record<(typeof TENSOR_FILES)[number], ReadonlyMap<string, tf.Tensor>> = {
      [CHECKPOINT_FILES.model]: snapshot.model,
      [CHECKPOINT_FILES.optimizer]: new Map(Object.entries(snapshot.optimizer.tensors)),
      [CHECKPOINT_FILES.plugins]: plugins.tensors,
    };
    const files = {} as TrainerStateFile['files'];
    for (const file of TENSOR_FILES) {
      const tensors: Record<string, TensorToWrite> = Object.fromEntries([...groups[file]].map(([name, tensor]) => [name, tensorToWrite(name, tensor)]));
      const path = join(temporary, file);
      await writeSafetensors(path, tensors, { format: 'sdxl-trainer', step: String(step) });
      files[file] = { bytes: (await stat(path)).size, tensors: Object.keys(tensors) };
    }
    for (const writer of writers) {
      try {
        await writer.write(temporary, context);
      } catch (error) {
        throw new SdxlError(ErrorCode.CHECKPOINT_WRITE_FAILED, `checkpoint writer "${writer.name}" failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    const stateFile: TrainerStateFile = {
      format: 'sdxl-trainer-checkpoint',
      formatVersion: CHECKPOINT_FORMAT_VERSION,
      step,
      savedAt: new Date().toISOString(),
      state: { ...snapshot.state },
      rng: structuredClone(snapshot.rng) as TrainerStateFile['rng'],
      lrScheduler: { ...snapshot.lrScheduler },
      optimizer: { step: snapshot.optimizer.step, ...(snapshot.optimizer.extra ? { extra: { ...snapshot.optimizer.extra } } : {}) },
      plugins: plugins.json,
      files,
    };
    await writeDurably(join(temporary, CHECKPOINT_FILES.state), `${JSON.stringify(stateFile, null, 2)}\n`);
    await syncFolder(temporary);
    await moveIntoPlace(temporary, final);
    await syncFolder(outputDir);
    return final;
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    if (isSdxlError(error)) throw error;
    throw new SdxlError(ErrorCode.CHECKPOINT_WRITE_FAILED, `writing ${final} failed: ${error instanceof Error ? error.message : String(error)}; the previous checkpoints are untouched`, {
      cause: error,
      details: { folder: final },
    });
  }
}

async function writeDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Rename `from` to `to`; an existing `to` (a re-saved step) is moved aside first and removed once `from` is in place. */
async function moveIntoPlace(from: string, to: string): Promise<void> {
  const exists = await stat(to).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await rename(from, to);
    return;
  }
  // why: rename cannot replace a non-empty folder; between the two renames a crash leaves `<to>.old-*`, which
  // recoverLeftovers() renames back on the next start.
  const aside = `${to}.old-${randomBytes(6).toString('hex')}`;
  await rename(to, aside);
  await rename(from, to);
  await rm(aside, { recursive: true, force: true });
}
