import type { TrainerPlugin, TrainerSnapshot } from '@sdxl-trainer/core';
import { describe, expect, it } from 'vitest';
import { cloneSnapshot, maxWeightDifference, recordRun } from '@sdxl-trainer/tests-toy';

describe('snapshot and restore', () => {
  it('a run restored from a mid-epoch snapshot continues exactly as the uninterrupted run', async () => {
    // 12 samples in batches of 4: 3 steps per epoch; the snapshot after step 4 is mid-epoch 1.
    let saved: TrainerSnapshot | undefined;
    const saver: TrainerPlugin = {
      name: 'test:saver',
      apply(t) {
        t.hooks.saveState.tap('test:saver', ({ step, snapshot }) => {
          if (step === 4) saved = cloneSnapshot(snapshot);
        });
      },
    };
    const whole = await recordRun({ samples: 12, maxTrainSteps: 8, checkpointingSteps: 4, lrScheduler: 'cosine', lrWarmupSteps: 2, extraPlugins: [saver] });
    expect(saved?.state).toMatchObject({ globalStep: 4, epoch: 1, batchInEpoch: 1 });

    const restorer: TrainerPlugin = {
      name: 'test:restorer',
      apply(t) {
        t.hooks.beforeTrain.tapPromise('test:restorer', () => t.restore(saved!));
      },
    };
    // a different seed in the config: the checkpoint's seed (and random streams) must win
    const resumed = await recordRun({ seed: 99, samples: 12, maxTrainSteps: 8, lrScheduler: 'cosine', lrWarmupSteps: 2, extraPlugins: [restorer] });
    expect(resumed.losses).toEqual(whole.losses.slice(4));
    expect(maxWeightDifference(resumed.finalWeights, whole.finalWeights)).toBe(0);
    expect(resumed.trainer.state.toJSON()).toEqual(whole.trainer.state.toJSON());
  });

  it('refuses a snapshot whose weights do not fit the model, naming the parameter', async () => {
    let saved: TrainerSnapshot | undefined;
    await recordRun({
      maxTrainSteps: 1,
      checkpointingSteps: 1,
      extraPlugins: [{ name: 'test:saver', apply: (t) => t.hooks.saveState.tap('test:saver', ({ snapshot }) => void (saved = cloneSnapshot(snapshot))) }],
    });
    const broken = { ...saved!, model: new Map([...saved!.model].filter(([name]) => name !== 'out.bias')) };
    await expect(
      recordRun({ maxTrainSteps: 2, extraPlugins: [{ name: 'test:restorer', apply: (t) => t.hooks.beforeTrain.tapPromise('test:restorer', () => t.restore(broken)) }] }),
    ).rejects.toThrow(/the checkpoint has no weights for "out.bias"/);
  });
});
