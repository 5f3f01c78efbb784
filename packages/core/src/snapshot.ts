import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { TrainerSnapshot } from './contexts.js';
import { isStateful, type StatefulPlugin, type TrainerPlugin } from './plugin.js';
import type { PreparedRun } from './prepareRun.js';
import type { RngStreams } from './random/RngStreams.js';
import type { TrainerState } from './TrainerState.js';

interface SnapshotParts {
  readonly state: TrainerState;
  readonly rng: RngStreams;
  readonly run: PreparedRun;
}

/** Collect everything a checkpoint needs: position, random streams, LR schedule, optimizer, model, plugin state. */
export function takeSnapshot(parts: SnapshotParts & { plugins: readonly TrainerPlugin[] }): TrainerSnapshot {
  const { state, rng, run } = parts;
  const plugins: Record<string, Record<string, unknown>> = {};
  for (const plugin of parts.plugins.filter(isStateful)) plugins[plugin.stateKey ?? plugin.name] = plugin.stateDict();
  return {
    state: state.toJSON(),
    rng: rng.stateDict(),
    lrScheduler: run.loopParts.lrScheduler.stateDict(),
    optimizer: run.loopParts.optimizer.stateDict(),
    model: run.loopParts.loss.model.trainableVariables,
    plugins,
  };
}

/**
 * Put a snapshot back: every trained variable must be present with its shape (or this names the one that
 * is not); the position keeps this run's sizes, so a resumed run may train longer than the original.
 */
export function restoreSnapshot(snapshot: TrainerSnapshot, parts: SnapshotParts & { plugins: readonly StatefulPlugin[] }): void {
  const { state, rng, run } = parts;
  const variables = run.loopParts.loss.model.trainableVariables;
  for (const [name, variable] of variables) {
    const saved = snapshot.model.get(name);
    if (!saved) throw new SdxlError(ErrorCode.TRAINER_STATE_INVALID, `the checkpoint has no weights for "${name}"`);
    if (saved.shape.join() !== variable.shape.join()) {
      throw new SdxlError(ErrorCode.TRAINER_STATE_INVALID, `the checkpoint's "${name}" has shape [${saved.shape}], the model expects [${variable.shape}]`);
    }
  }
  for (const plugin of parts.plugins) {
    const key = plugin.stateKey ?? plugin.name;
    if (!(key in snapshot.plugins)) throw new SdxlError(ErrorCode.PLUGIN_STATE_INVALID, `the checkpoint has no state for plugin "${key}"`, { plugin: plugin.name });
  }
  for (const [name, variable] of variables) variable.assign(snapshot.model.get(name)!);
  run.loopParts.optimizer.loadStateDict(snapshot.optimizer);
  run.loopParts.lrScheduler.loadStateDict(snapshot.lrScheduler);
  rng.loadStateDict(snapshot.rng);
  const { maxSteps, epochs, stepsPerEpoch, batchesPerEpoch } = state;
  state.load(snapshot.state);
  Object.assign(state, { maxSteps, epochs, stepsPerEpoch, batchesPerEpoch });
  for (const plugin of parts.plugins) plugin.loadStateDict(snapshot.plugins[plugin.stateKey ?? plugin.name]!);
}
