import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@sdxl-trainer/core';
import { setTestBackend } from '@sdxl-trainer/tensor';
import { isPromptDropped } from './isPromptDropped.js';
import { dropMask, zeroDroppedConditioning } from './zeroDroppedConditioning.js';

beforeAll(async () => {
  await setTestBackend();
});

/** |observed - expected| count allowed for n Bernoulli(p) draws: 5 standard deviations. */
function fiveSigma(n: number, p: number): number {
  return 5 * Math.sqrt(n * p * (1 - p));
}

describe('isPromptDropped (emptyPromptMode "encode": the script\'s random.random() < proportion_empty_prompts per row)', () => {
  const rows = 20_000;
  const draw = (p: number, seed: number) => Array.from({ length: rows }, (_, row) => isPromptDropped(p, seed, row));

  it.each([0.05, 0.1, 0.5, 0.9])('drops a share of about %s of the rows', (p) => {
    const dropped = draw(p, 42).filter(Boolean).length;
    expect(Math.abs(dropped - rows * p)).toBeLessThan(fiveSigma(rows, p));
  });

  it('never drops with 0 and always drops with 1', () => {
    expect(draw(0, 1).some(Boolean)).toBe(false);
    expect(draw(1, 1).every(Boolean)).toBe(true);
  });

  it('decides once per (seed, row): the same rows for the same seed in any order, other rows for another seed', () => {
    const first = draw(0.3, 7);
    const reversed = Array.from({ length: rows }, (_, i) => isPromptDropped(0.3, 7, rows - 1 - i)).reverse();
    expect(reversed).toEqual(first);
    const other = draw(0.3, 8);
    const agree = first.filter((d, i) => d === other[i]).length;
    // independent decisions agree with probability p² + (1 - p)² = 0.58
    expect(Math.abs(agree - rows * 0.58)).toBeLessThan(fiveSigma(rows, 0.58));
  });

  it('draws rows independently (adjacent decisions are uncorrelated)', () => {
    const d = draw(0.5, 3).map(Number);
    let both = 0;
    for (let i = 1; i < d.length; i++) both += d[i]! * d[i - 1]!;
    expect(Math.abs(both - (rows - 1) * 0.25)).toBeLessThan(fiveSigma(rows - 1, 0.25));
  });
});

describe('dropMask and zeroDroppedConditioning (emptyPromptMode "zero")', () => {
  it('drops each sample with probability p, reproducibly from the stream state', () => {
    const rng = Rng.fromSeed(11, 'mask');
    const saved = rng.getState();
    const masks = Array.from({ length: 2000 }, () => dropMask(rng, 8, 0.2));
    const dropped = masks.flat().filter(Boolean).length;
    expect(Math.abs(dropped - 16_000 * 0.2)).toBeLessThan(fiveSigma(16_000, 0.2));
    const replay = Rng.fromState(saved);
    expect(Array.from({ length: 2000 }, () => dropMask(replay, 8, 0.2))).toEqual(masks);
  });

  it('sets the dropped rows of prompt embeds, pooled embeds and time ids to exactly +0 and leaves the others untouched', () => {
    const batch = 5;
    const rng = Rng.fromSeed(5, 'values');
    const values = (n: number) => rng.fillNormal(new Float32Array(n));
    const promptEmbeds = tf.tensor3d(values(batch * 3 * 4), [batch, 3, 4]);
    const pooled = tf.tensor2d(values(batch * 6), [batch, 6]);
    const timeIds = tf.tensor2d(Array.from({ length: batch }, (_, i) => [96 + i, 80, 8, 4, 64, 64]));
    const dropped = [true, false, false, true, false];
    const out = zeroDroppedConditioning({ promptEmbeds, pooledPromptEmbeds: pooled, timeIds }, dropped);
    const check = (input: tf.Tensor, output: tf.Tensor) => {
      expect(output.shape).toEqual(input.shape);
      const rowSize = input.size / batch;
      const before = input.dataSync();
      const after = output.dataSync();
      dropped.forEach((drop, row) => {
        for (let k = row * rowSize; k < (row + 1) * rowSize; k++) {
          if (drop) expect(Object.is(after[k], 0)).toBe(true); // +0, not -0
          else expect(after[k]).toBe(before[k]);
        }
      });
    };
    check(promptEmbeds, out.promptEmbeds);
    check(pooled, out.pooledPromptEmbeds);
    check(timeIds, out.timeIds);
    tf.dispose([promptEmbeds, pooled, timeIds, out.promptEmbeds, out.pooledPromptEmbeds, out.timeIds]);
  });

  it('returns the conditioning itself when nothing is dropped', () => {
    const conditioning = { promptEmbeds: tf.zeros([2, 3, 4]) as tf.Tensor3D, pooledPromptEmbeds: tf.ones([2, 6]) as tf.Tensor2D, timeIds: tf.ones([2, 6]) as tf.Tensor2D };
    expect(zeroDroppedConditioning(conditioning, [false, false])).toBe(conditioning);
    tf.dispose(Object.values(conditioning));
  });
});
