import type { CheckpointContext, TrainerSnapshot } from '@sdxl-trainer/core';
import { ErrorCode } from '@sdxl-trainer/errors';
import { loadSafetensors } from '@sdxl-trainer/safetensors';
import { setTestBackend } from '@sdxl-trainer/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readCheckpoint } from './readCheckpoint.js';
import { recoverLeftovers } from './recoverLeftovers.js';
import { writeCheckpoint } from './writeCheckpoint.js';

let dir: string;
beforeAll(async () => {
  await setTestBackend();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ckpt-write-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A snapshot as core would hand it over, with every kind of content. */
function snapshotAt(step: number, scale = 1): CheckpointContext {
  const snapshot: TrainerSnapshot = {
    state: { globalStep: step, epoch: 1, batchInEpoch: 2, maxSteps: 10, epochs: 2, stepsPerEpoch: 5, batchesPerEpoch: 5, seed: 42 },
    rng: { noise: { words: [1, 2, 3, 4294967295], spareNormal: -0.123456789012345 }, data: { words: [5, 6, 7, 8], spareNormal: null } },
    lrScheduler: { stepCount: step },
    optimizer: { step, tensors: { 'exp_avg.w': tf.tensor1d([0.5 * scale, -1]), 'exp_avg_sq.w': tf.tensor1d([1e-8, 3]) }, extra: { name: 'adamw', betas: [0.9, 0.999] } },
    model: new Map<string, tf.Tensor>([
      ['w', tf.tensor2d([1.5 * scale, 2, 3, 4], [2, 2])],
      ['b', tf.tensor1d([Math.PI])],
    ]),
    plugins: { '@x/ema': { optimizationStep: step, shadowParams: { w: tf.tensor2d([9, 8, 7, 6], [2, 2]) } }, '@x/counter': { count: 3, ids: tf.tensor1d([1, 2], 'int32') } },
  };
  return { step, snapshot };
}

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('writeCheckpoint / readCheckpoint', () => {
  it('writes the documented layout and reads back exactly what was saved', async () => {
    const context = snapshotAt(3);
    const folder = await writeCheckpoint(dir, context);
    expect(folder).toBe(join(dir, 'checkpoint-3'));
    expect((await readdir(dir)).sort()).toEqual(['checkpoint-3']);
    expect((await readdir(folder)).sort()).toEqual(['model.safetensors', 'optimizer.safetensors', 'plugins.safetensors', 'trainer_state.json']);
    const manifest = JSON.parse(await readFile(join(folder, 'trainer_state.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'sdxl-trainer-checkpoint', formatVersion: 1, step: 3, lrScheduler: { stepCount: 3 }, optimizer: { step: 3, extra: { name: 'adamw' } } });
    expect(manifest.plugins['@x/ema'].shadowParams.w).toEqual({ $tensor: '@x/ema/shadowParams/w' });
    expect(Object.keys(await loadSafetensors(join(folder, 'model.safetensors'))).sort()).toEqual(['b', 'w']);

    const loaded = await readCheckpoint(folder);
    const { snapshot } = loaded;
    expect(loaded.step).toBe(3);
    expect(snapshot.state).toEqual(context.snapshot.state);
    expect(snapshot.rng).toEqual(context.snapshot.rng); // doubles survive JSON exactly
    expect(snapshot.lrScheduler).toEqual(context.snapshot.lrScheduler);
    expect(snapshot.optimizer.extra).toEqual(context.snapshot.optimizer.extra);
    for (const [name, tensor] of context.snapshot.model) {
      expect(snapshot.model.get(name)!.shape).toEqual(tensor.shape);
      expect(values(snapshot.model.get(name)!)).toEqual(values(tensor));
    }
    for (const [name, tensor] of Object.entries(context.snapshot.optimizer.tensors)) expect(values(snapshot.optimizer.tensors[name]!)).toEqual(values(tensor));
    const ids = (snapshot.plugins['@x/counter'] as { ids: tf.Tensor }).ids;
    expect([ids.dtype, values(ids)]).toEqual(['int32', [1, 2]]);
    expect(values((snapshot.plugins['@x/ema'] as { shadowParams: { w: tf.Tensor } }).shadowParams.w)).toEqual([9, 8, 7, 6]);
    const before = tf.memory().numTensors;
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before - 6);
  });

  it('replaces a checkpoint of the same step', async () => {
    await writeCheckpoint(dir, snapshotAt(3, 1));
    await writeCheckpoint(dir, snapshotAt(3, 2));
    expect(await readdir(dir)).toEqual(['checkpoint-3']);
    const loaded = await readCheckpoint(join(dir, 'checkpoint-3'));
    expect(values(loaded.snapshot.model.get('w')!)[0]).toBe(3);
    loaded.dispose();
  });

  it('is atomic: a write failing midway leaves the previous checkpoint intact and no folder behind', async () => {
    await writeCheckpoint(dir, snapshotAt(3));
    const previous = await readFile(join(dir, 'checkpoint-3', 'model.safetensors'));
    let sawFiles: string[] = [];
    const failing = {
      name: 'test:disk-full',
      async write(folder: string) {
        sawFiles = await readdir(folder); // the tensor files are already there
        throw new Error('ENOSPC: no space left on device');
      },
    };
    const failure = writeCheckpoint(dir, snapshotAt(6), [failing]);
    await expect(failure).rejects.toMatchObject({ code: ErrorCode.CHECKPOINT_WRITE_FAILED });
    await expect(failure).rejects.toThrow(/checkpoint writer "test:disk-full" failed: ENOSPC/);
    expect(sawFiles.sort()).toEqual(['model.safetensors', 'optimizer.safetensors', 'plugins.safetensors']);
    expect(await readdir(dir)).toEqual(['checkpoint-3']);
    expect(await readFile(join(dir, 'checkpoint-3', 'model.safetensors'))).toEqual(previous);

    const broken = snapshotAt(9);
    const bad = { ...broken, snapshot: { ...broken.snapshot, plugins: { p: { when: new Date() } } } };
    await expect(writeCheckpoint(dir, bad)).rejects.toThrow(/plugin "p" state at when is a Date/);
    expect(await readdir(dir)).toEqual(['checkpoint-3']);
  });

  it('cleans up after a crash: half-written folders go, a checkpoint moved aside comes back', async () => {
    await writeCheckpoint(dir, snapshotAt(3));
    await mkdir(join(dir, 'checkpoint-6.tmp-0123abcd'));
    await writeFile(join(dir, 'checkpoint-6.tmp-0123abcd', 'model.safetensors'), 'half');
    await writeCheckpoint(dir, snapshotAt(4));
    await import('node:fs/promises').then((fs) => fs.rename(join(dir, 'checkpoint-4'), join(dir, 'checkpoint-4.old-00ff')));
    await mkdir(join(dir, 'checkpoint-3.old-abcdef'));
    const report = await recoverLeftovers(dir);
    expect([...report.removed].sort()).toEqual(['checkpoint-3.old-abcdef', 'checkpoint-6.tmp-0123abcd']);
    expect(report.recovered).toEqual(['checkpoint-4']);
    expect((await readdir(dir)).sort()).toEqual(['checkpoint-3', 'checkpoint-4']);
    (await readCheckpoint(join(dir, 'checkpoint-4'))).dispose();
  });

  describe('damaged checkpoints fail with CHECKPOINT_INVALID naming the file', () => {
    const expectInvalid = async (pattern: RegExp) => {
      const failure = readCheckpoint(join(dir, 'checkpoint-3'));
      await expect(failure).rejects.toMatchObject({ code: ErrorCode.CHECKPOINT_INVALID });
      await expect(failure).rejects.toThrow(pattern);
    };
    beforeEach(async () => {
      await writeCheckpoint(dir, snapshotAt(3));
    });

    it('a truncated tensor file', async () => {
      await truncate(join(dir, 'checkpoint-3', 'optimizer.safetensors'), 20);
      await expectInvalid(/checkpoint-3\/optimizer.safetensors is 20 bytes, the checkpoint's manifest says \d+: the file is truncated/);
    });

    it('a tensor file damaged in place', async () => {
      const handle = await open(join(dir, 'checkpoint-3', 'model.safetensors'), 'r+');
      await handle.write(Buffer.from('{{{{'), 0, 4, 10);
      await handle.close();
      await expectInvalid(/checkpoint file .*checkpoint-3\/model.safetensors cannot be read/);
    });

    it('a missing tensor file', async () => {
      await rm(join(dir, 'checkpoint-3', 'plugins.safetensors'));
      await expectInvalid(/checkpoint-3\/plugins.safetensors is missing/);
    });

    it('a truncated or missing trainer_state.json, or one from the future', async () => {
      const path = join(dir, 'checkpoint-3', 'trainer_state.json');
      const text = await readFile(path, 'utf8');
      await writeFile(path, text.slice(0, text.length / 2));
      await expectInvalid(/checkpoint-3\/trainer_state.json is not valid JSON .* truncated or damaged/);
      await writeFile(path, JSON.stringify({ ...JSON.parse(text), formatVersion: 7 }));
      await expectInvalid(/has format version 7; .* reads up to 1/);
      await writeFile(path, JSON.stringify({ ...JSON.parse(text), lrScheduler: { stepCount: 'x' } }));
      await expectInvalid(/field "lrScheduler.stepCount"/);
      await rm(path);
      await expectInvalid(/trainer_state.json is missing: .* is not a checkpoint written by @sdxl-trainer\/plugin-checkpointing/);
    });
  });
});
