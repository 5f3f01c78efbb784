import type { OptimizerState, TrainerSnapshot, TrainerStateData } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { loadSafetensors } from '@sdxl-trainer/safetensors';
import type * as tf from '@tensorflow/tfjs-core';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CHECKPOINT_FILES, CHECKPOINT_FORMAT_VERSION, TENSOR_FILES, trainerStateFileSchema, type TrainerStateFile } from './checkpointFormat.js';
import { joinPluginState } from './pluginStateCodec.js';
import { tensorFromFile } from './tensorCodec.js';

/** A checkpoint read back into memory. */
export interface LoadedCheckpoint {
  readonly folder: string;
  readonly step: number;
  /** What `trainer.restore()` takes; its tensors belong to this object until {@link LoadedCheckpoint.dispose}. */
  readonly snapshot: TrainerSnapshot;
  /** Free the tensors read (restore copies what it keeps). */
  dispose(): void;
}

/**
 * Read a checkpoint folder written by {@link writeCheckpoint}: trainer_state.json, then each tensor file, checked
 * against the manifest (size and tensor names). A missing, truncated or corrupt file is a CHECKPOINT_INVALID error
 * naming the file.
 */
export async function readCheckpoint(folder: string): Promise<LoadedCheckpoint> {
  const manifest = await readManifest(folder);
  const created: tf.Tensor[] = [];
  try {
    const groups = {} as Record<(typeof TENSOR_FILES)[number], Map<string, tf.Tensor>>;
    for (const file of TENSOR_FILES) {
      const tensors = await readTensorFile(join(folder, file), manifest.files[file]);
      tensors.forEach((tensor) => created.push(tensor));
      groups[file] = tensors;
    }
    const optimizer: OptimizerState = {
      step: manifest.optimizer.step,
      tensors: Object.fromEntries(groups[CHECKPOINT_FILES.optimizer]),
      ...(manifest.optimizer.extra ? { extra: manifest.optimizer.extra } : {}),
    };
    const snapshot: TrainerSnapshot = {
      state: manifest.state as unknown as TrainerStateData, // why: core's TrainerState.load checks every field on restore
      rng: manifest.rng,
      lrScheduler: manifest.lrScheduler,
      optimizer,
      model: groups[CHECKPOINT_FILES.model],
      plugins: joinPluginState(manifest.plugins, groups[CHECKPOINT_FILES.plugins], join(folder, CHECKPOINT_FILES.plugins)),
    };
    return { folder, step: manifest.step, snapshot, dispose: () => created.forEach((tensor) => tensor.dispose()) };
  } catch (error) {
    created.forEach((tensor) => tensor.dispose());
    throw error;
  }
}

async function readManifest(folder: string): Promise<TrainerStateFile> {
  const path = join(folder, CHECKPOINT_FILES.state);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      throw new SdxlError(ErrorCode.CHECKPOINT_INVALID, `${path} is missing: ${folder} is not a checkpoint written by @sdxl-trainer/plugin-checkpointing`, { details: { file: path } });
    }
    throw error;
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(path, `is not valid JSON (${error instanceof Error ? error.message : String(error)}); the file is truncated or damaged`, error);
  }
  const version = (json as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > CHECKPOINT_FORMAT_VERSION) {
    throw invalid(path, `has format version ${version}; this version of @sdxl-trainer/plugin-checkpointing reads up to ${CHECKPOINT_FORMAT_VERSION} (upgrade it)`);
  }
  const parsed = trainerStateFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(path, `field "${issue.path.join('.') || '(root)'}": ${issue.message}`);
  }
  return parsed.data;
}

async function readTensorFile(path: string, expected: { bytes: number; tensors: readonly string[] }): Promise<Map<string, tf.Tensor>> {
  const size = await stat(path).then(
    (s) => s.size,
    () => undefined,
  );
  if (size === undefined) throw invalid(path, 'is missing');
  if (size !== expected.bytes) throw invalid(path, `is ${size} bytes, the checkpoint's manifest says ${expected.bytes}: the file is truncated or was replaced`);
  let data: Awaited<ReturnType<typeof loadSafetensors>>;
  try {
    data = await loadSafetensors(path);
  } catch (error) {
    throw invalid(path, `cannot be read: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const missing = expected.tensors.filter((name) => !(name in data));
  if (missing.length > 0) throw invalid(path, `lacks tensors the manifest lists: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
  const tensors = new Map<string, tf.Tensor>();
  try {
    for (const name of expected.tensors) tensors.set(name, tensorFromFile(name, data[name]!, path));
  } catch (error) {
    tensors.forEach((tensor) => tensor.dispose());
    throw error;
  }
  return tensors;
}

function invalid(path: string, problem: string, cause?: unknown): SdxlError {
  return new SdxlError(ErrorCode.CHECKPOINT_INVALID, `checkpoint file ${path} ${problem}`, { details: { file: path }, cause });
}
