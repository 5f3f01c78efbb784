import * as tf from '@tensorflow/tfjs-core';
import { recordRun } from '@sdxl-trainer/tests-toy';
import { describe, expect, it } from 'vitest';

describe('a finished run', () => {
  it('leaves no tensors behind (model, optimizer state and schedule tables are all freed)', async () => {
    await recordRun({ maxTrainSteps: 2 });
    const before = tf.memory().numTensors;
    await recordRun({ maxTrainSteps: 3, gradientAccumulationSteps: 2, trainBatchSize: 2 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
