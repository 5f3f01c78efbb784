import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { maxAbsDiff, seeded, valuesOn } from '../testing/reference.js';
import { setupWasm } from '../testing/setupWasm.js';

// Tolerance: sums of ≤ 4 float32 values in [-1, 1), in possibly another order: 1e-6.
const TOL = 1e-6;

describe('wasm UnsortedSegmentSum', () => {
  beforeAll(setupWasm);

  it('sums rows into segments like cpu (repeated, unused and out-of-range ids)', async () => {
    const ids = [2, 0, 2, 5, 2, -1, 0, 7];
    const x = seeded(8 * 3 * 2, 13);
    const run = (): tf.Tensor => tf.unsortedSegmentSum(tf.tensor3d(x, [8, 3, 2]), tf.tensor1d(ids, 'int32'), 6);
    const [cpu] = await valuesOn('cpu', run);
    const [wasm] = await valuesOn('wasm', run);
    expect(maxAbsDiff(wasm!, cpu!)).toBeLessThanOrEqual(TOL);
    // Independent check of one segment: segment 2 = rows 0, 2 and 4.
    for (let i = 0; i < 6; i++) {
      expect(wasm![2 * 6 + i]).toBeCloseTo(x[0 * 6 + i]! + x[2 * 6 + i]! + x[4 * 6 + i]!, 6);
    }
    expect(Array.from(wasm!.slice(6, 12))).toEqual([0, 0, 0, 0, 0, 0]); // segment 1 unused
  });

  it('sums int32 rows like cpu', async () => {
    const run = (): tf.Tensor => tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), tf.tensor1d([1, 1, 0], 'int32'), 2);
    const [cpu] = await valuesOn('cpu', run);
    const [wasm] = await valuesOn('wasm', run);
    expect(Array.from(wasm!)).toEqual(Array.from(cpu!));
  });

  it('makes tf.gather trainable on wasm: embedding-table gradient equals cpu', async () => {
    const table = seeded(10 * 4, 17);
    const ids = [3, 1, 3, 9, 0, 3];
    const run = (): tf.Tensor => {
      const w = tf.tensor2d(table, [10, 4]);
      return tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, tf.tensor1d(ids, 'int32')))))(w);
    };
    const [cpu] = await valuesOn('cpu', run);
    const [wasm] = await valuesOn('wasm', run);
    expect(maxAbsDiff(wasm!, cpu!)).toBeLessThanOrEqual(TOL * 10);
    // Row 3 was gathered three times: gradient 3·2·w[3].
    for (let i = 0; i < 4; i++) expect(wasm![3 * 4 + i]).toBeCloseTo(6 * table[3 * 4 + i]!, 5);
  });
});
