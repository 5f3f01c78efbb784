import { Stage, type TrainerPlugin, type TrainerSnapshot } from '@sdxl-trainer/core';
import { ErrorCode } from '@sdxl-trainer/errors';
import ema, { getEma } from '@sdxl-trainer/plugin-ema';
import { cloneSnapshot, maxWeightDifference, recordRun } from '@sdxl-trainer/tests-toy';
import * as tf from '@tensorflow/tfjs-core';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import checkpointing, { getCheckpointing, readCheckpoint } from './index.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ckpt-runs-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const folder = async (name: string) => {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  return dir;
};
const names = async (dir: string) => (await readdir(dir)).sort();

/** Ask the run to stop after step `step` (as Ctrl-C would). */
const stopAfter = (step: number): TrainerPlugin => ({
  name: 'test:stop',
  apply: (t) => t.hooks.afterStep.tap({ name: 'test:stop', stage: Stage.POST }, (r) => void (r.step === step && t.requestStop('test'))),
});

/** Collect the run's log lines. */
const logs = (lines: string[]): TrainerPlugin => ({ name: 'test:logs', apply: (t) => void t.events$.subscribe((e) => e.type === 'log' && lines.push(e.message)) });

describe('checkpointing plugin', () => {
  it('validates its options', () => {
    expect(() => checkpointing({ totalLimit: 0 })).toThrow(/totalLimit: got 0; expected a positive integer \(--checkpoints_total_limit\)/);
    expect(() => checkpointing({ resumeFromCheckpoint: 'latest' } as never)).toThrow(/unknown option "resumeFromCheckpoint"/);
  });

  it('resume equals uninterrupted: a run resumed from the latest checkpoint continues bit-exactly (constant LR)', async () => {
    const [a, b] = [await folder('exact-a'), await folder('exact-b')];
    const whole = await recordRun({ outputDir: a, maxTrainSteps: 8, checkpointingSteps: 3, extraPlugins: [checkpointing()] });
    expect(await names(a)).toEqual(['checkpoint-3', 'checkpoint-6']);

    await recordRun({ outputDir: b, maxTrainSteps: 5, checkpointingSteps: 3, extraPlugins: [checkpointing()] });
    expect(await names(b)).toEqual(['checkpoint-3']);
    // the same three steps wrote the same bytes
    for (const file of ['model.safetensors', 'optimizer.safetensors', 'plugins.safetensors']) {
      expect(await readFile(join(b, 'checkpoint-3', file))).toEqual(await readFile(join(a, 'checkpoint-3', file)));
    }

    const resumed = await recordRun({ outputDir: b, maxTrainSteps: 8, checkpointingSteps: 3, extraPlugins: [checkpointing({ resumeFrom: 'latest' })] });
    expect(getCheckpointing(resumed.trainer)!.resumedFrom).toBe(join(b, 'checkpoint-3'));
    expect(resumed.losses).toEqual(whole.losses.slice(3));
    expect(maxWeightDifference(resumed.finalWeights, whole.finalWeights)).toBe(0);
    expect(resumed.trainer.state.toJSON()).toEqual(whole.trainer.state.toJSON());
  });

  it('resume equals uninterrupted with a cosine schedule, warmup, EMA and a stop: EMA state rides in the checkpoint', async () => {
    const [a, b] = [await folder('ema-a'), await folder('ema-b')];
    const config = { maxTrainSteps: 8, checkpointingSteps: 3, lrScheduler: 'cosine' as const, lrWarmupSteps: 2 };
    let emaStepsWhole = 0;
    let emaStepsResumed = 0;
    const whole = await recordRun({ ...config, outputDir: a, extraPlugins: [ema(), checkpointing(), { name: 't', apply: (t) => t.hooks.afterTrain.tap('t', () => void (emaStepsWhole = getEma(t)!.optimizationStep)) }] });

    const stopped = await recordRun({ ...config, outputDir: b, extraPlugins: [ema(), checkpointing(), stopAfter(7)] });
    expect(stopped.losses).toHaveLength(7);
    expect(await names(b)).toEqual(['checkpoint-3', 'checkpoint-6']);
    const manifest = JSON.parse(await readFile(join(b, 'checkpoint-6', 'trainer_state.json'), 'utf8'));
    expect(manifest.plugins['@sdxl-trainer/plugin-ema']).toMatchObject({ optimizationStep: 6, decay: 0.9999 });

    const resumed = await recordRun({
      ...config,
      outputDir: b,
      extraPlugins: [ema(), checkpointing({ resumeFrom: 'latest' }), { name: 't', apply: (t) => t.hooks.afterTrain.tap('t', () => void (emaStepsResumed = getEma(t)!.optimizationStep)) }],
    });
    expect(resumed.losses).toEqual(whole.losses.slice(6));
    expect(maxWeightDifference(resumed.finalWeights, whole.finalWeights)).toBe(0); // the EMA weights, copied in before saveModel
    expect([emaStepsResumed, emaStepsWhole]).toEqual([8, 8]);
  });

  it('reads back exactly the snapshot the run handed over, in fresh objects', async () => {
    const dir = await folder('roundtrip');
    let saved: TrainerSnapshot | undefined;
    const saver: TrainerPlugin = { name: 'test:saver', apply: (t) => t.hooks.saveState.tap('test:saver', ({ step, snapshot }) => void (step === 4 && (saved = cloneSnapshot(snapshot)))) };
    await recordRun({ outputDir: dir, samples: 12, maxTrainSteps: 4, checkpointingSteps: 4, extraPlugins: [checkpointing(), saver] });
    const loaded = await readCheckpoint(join(dir, 'checkpoint-4'));
    const { snapshot } = loaded;
    expect(snapshot.state).toEqual(saved!.state);
    expect(snapshot.state).toMatchObject({ globalStep: 4, epoch: 1, batchInEpoch: 1 }); // mid-epoch
    expect(snapshot.rng).toEqual(saved!.rng);
    expect(snapshot.lrScheduler).toEqual(saved!.lrScheduler);
    expect(snapshot.optimizer.step).toBe(saved!.optimizer.step);
    for (const [name, t] of saved!.model) expect(snapshot.model.get(name)!.dataSync()).toEqual(t.dataSync());
    const optimizerNames = Object.keys(saved!.optimizer.tensors);
    expect(Object.keys(snapshot.optimizer.tensors).sort()).toEqual(optimizerNames.sort());
    for (const name of optimizerNames) expect(snapshot.optimizer.tensors[name]!.dataSync()).toEqual(saved!.optimizer.tensors[name]!.dataSync());
    loaded.dispose();
  });

  it('keeps at most totalLimit checkpoints, removing the oldest, and only checkpoint-<int> folders count', async () => {
    const dir = await folder('rotation');
    await mkdir(join(dir, 'checkpoint-notes'));
    await mkdir(join(dir, 'checkpoint-1'));
    const seen: string[][] = [];
    const watcher: TrainerPlugin = { name: 'test:watch', apply: (t) => t.hooks.saveState.tapPromise({ name: 'test:watch', stage: Stage.POST }, async () => void seen.push(await names(dir))) };
    // core's checkpointingSteps stays at its default (500); the plugin's own cadence asks for every 2 steps
    await recordRun({ outputDir: dir, maxTrainSteps: 8, extraPlugins: [checkpointing({ checkpointingSteps: 2, totalLimit: 2 }), watcher] });
    expect(seen).toEqual([
      ['checkpoint-1', 'checkpoint-2', 'checkpoint-notes'],
      ['checkpoint-2', 'checkpoint-4', 'checkpoint-notes'],
      ['checkpoint-4', 'checkpoint-6', 'checkpoint-notes'],
      ['checkpoint-6', 'checkpoint-8', 'checkpoint-notes'],
    ]);
  });

  it('a save failing midway fails the run but leaves the previous checkpoint intact; the next run cleans up and resumes from it', async () => {
    const dir = await folder('atomic');
    const whole = await recordRun({ outputDir: await folder('atomic-reference'), maxTrainSteps: 8 });
    const failAt6: TrainerPlugin = {
      name: 'test:disk-full',
      apply: (t) =>
        t.hooks.beforeTrain.tap({ name: 'test:disk-full', stage: Stage.POST }, () =>
          getCheckpointing(t)!.addWriter({
            name: 'test:disk-full',
            write: async (_, { step }) => {
              if (step === 6) throw new Error('ENOSPC: no space left on device');
            },
          }),
        ),
    };
    const failure = recordRun({ outputDir: dir, maxTrainSteps: 8, checkpointingSteps: 3, extraPlugins: [checkpointing(), failAt6] });
    await expect(failure).rejects.toMatchObject({ code: ErrorCode.CHECKPOINT_WRITE_FAILED, plugin: '@sdxl-trainer/plugin-checkpointing', hook: 'saveState' });
    expect(await names(dir)).toEqual(['checkpoint-3']);
    (await readCheckpoint(join(dir, 'checkpoint-3'))).dispose();

    // a crash in the middle of a later save left a temporary folder behind
    await mkdir(join(dir, 'checkpoint-9.tmp-00aa11bb'));
    await writeFile(join(dir, 'checkpoint-9.tmp-00aa11bb', 'model.safetensors'), 'half a file');
    const lines: string[] = [];
    const resumed = await recordRun({ outputDir: dir, maxTrainSteps: 8, checkpointingSteps: 3, extraPlugins: [checkpointing({ resumeFrom: 'latest' }), logs(lines)] });
    expect(lines).toContain('removed unfinished checkpoint folders from an interrupted save: checkpoint-9.tmp-00aa11bb');
    expect(resumed.losses).toEqual(whole.losses.slice(3));
    expect(await names(dir)).toEqual(['checkpoint-3', 'checkpoint-6']);
  });

  it('resumes from a folder name in outputDir or from a path elsewhere', async () => {
    const source = await folder('named-source');
    const whole = await recordRun({ outputDir: source, maxTrainSteps: 8, checkpointingSteps: 3, extraPlugins: [checkpointing()] });
    const copy = await folder('named-copy');
    await cp(source, copy, { recursive: true });

    const byName = await recordRun({ outputDir: copy, maxTrainSteps: 8, extraPlugins: [checkpointing({ resumeFrom: 'checkpoint-3' })] });
    expect(byName.losses).toEqual(whole.losses.slice(3));
    const byPath = await recordRun({ outputDir: await folder('named-elsewhere'), maxTrainSteps: 8, extraPlugins: [checkpointing({ resumeFrom: join(source, 'checkpoint-6') })] });
    expect(byPath.losses).toEqual(whole.losses.slice(6));
    expect(maxWeightDifference(byPath.finalWeights, whole.finalWeights)).toBe(0);
  });

  it('"latest" with no checkpoint starts a new run; a missing named checkpoint or a damaged one is an error', async () => {
    const empty = await folder('fresh');
    const lines: string[] = [];
    const fresh = await recordRun({ outputDir: empty, maxTrainSteps: 3, extraPlugins: [checkpointing({ resumeFrom: 'latest' }), logs(lines)] });
    const reference = await recordRun({ outputDir: empty, maxTrainSteps: 3 });
    expect(lines).toContain(`Checkpoint 'latest' does not exist in ${empty}. Starting a new training run.`);
    expect(fresh.losses).toEqual(reference.losses);

    const dir = await folder('broken');
    await recordRun({ outputDir: dir, maxTrainSteps: 3, checkpointingSteps: 3, extraPlugins: [checkpointing()] });
    const missing = recordRun({ outputDir: dir, maxTrainSteps: 6, extraPlugins: [checkpointing({ resumeFrom: 'checkpoint-99' })] });
    await expect(missing).rejects.toMatchObject({ code: ErrorCode.CHECKPOINT_NOT_FOUND });
    await expect(missing).rejects.toThrow(/"checkpoint-99": no checkpoint folder at .*; checkpoints in .*broken: checkpoint-3/);

    await truncate(join(dir, 'checkpoint-3', 'model.safetensors'), 100);
    const damaged = recordRun({ outputDir: dir, maxTrainSteps: 6, extraPlugins: [checkpointing({ resumeFrom: 'latest' })] });
    await expect(damaged).rejects.toMatchObject({ code: ErrorCode.CHECKPOINT_INVALID });
    await expect(damaged).rejects.toThrow(/checkpoint-3\/model.safetensors is 100 bytes/);
  });

  it('leaves no tensors behind after restoring', async () => {
    const dir = await folder('memory');
    await recordRun({ outputDir: dir, maxTrainSteps: 3, checkpointingSteps: 3, extraPlugins: [checkpointing()] });
    const before = tf.memory().numTensors;
    const plain = await recordRun({ outputDir: await folder('memory-plain'), maxTrainSteps: 6 });
    expect(tf.memory().numTensors).toBe(before);
    const resumed = await recordRun({ outputDir: dir, maxTrainSteps: 6, extraPlugins: [checkpointing({ resumeFrom: 'latest' })] });
    expect(resumed.losses).toHaveLength(3);
    expect(tf.memory().numTensors).toBe(before);
    expect(resumed.tensorCounts[0]).toBe(plain.tensorCounts[0]);
  });
});
