import type { TrainerPlugin } from '@sdxl-trainer/core';
import { describe, expect, it } from 'vitest';
import { maxWeightDifference, recordRun } from '@sdxl-trainer/tests-toy';

describe('the trainer trains a real model (MLP denoiser on toy rings, DDPM noise, AdamW)', () => {
  it('lowers the loss', async () => {
    const { losses } = await recordRun({ maxTrainSteps: 120, trainBatchSize: 8, samples: 48 });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(losses).toHaveLength(120);
    // why: per-step losses are noisy (random timesteps); compare the means of the first and last 20 steps.
    expect(mean(losses.slice(-20))).toBeLessThan(0.6 * mean(losses.slice(0, 20)));
  });

  it('reproduces a run exactly from its seed, and a different seed gives a different run', async () => {
    const a = await recordRun({ seed: 5, maxTrainSteps: 8 });
    const b = await recordRun({ seed: 5, maxTrainSteps: 8 });
    const c = await recordRun({ seed: 6, maxTrainSteps: 8 });
    expect(b.losses).toEqual(a.losses);
    expect(maxWeightDifference(a.finalWeights, b.finalWeights)).toBe(0);
    expect(c.losses).not.toEqual(a.losses);
  });

  it('accumulates gradients: 2 micro-batches of 2 equal one batch of 4', async () => {
    // why: the constant schedule, because the SDXL script stretches warmup by the accumulation steps.
    const gradientsOf = (into: Float32Array[]): TrainerPlugin => ({
      name: 'test:gradients',
      apply: (t) => t.hooks.afterBackward.tap('test:gradients', (gradients) => void into.push(gradients.get('in.weight')!.dataSync().slice() as Float32Array)),
    });
    const bigGradients: Float32Array[] = [];
    const smallGradients: Float32Array[] = [];
    const big = await recordRun({ trainBatchSize: 4, gradientAccumulationSteps: 1, maxTrainSteps: 6, maxGradNorm: null, extraPlugins: [gradientsOf(bigGradients)] });
    const small = await recordRun({ trainBatchSize: 2, gradientAccumulationSteps: 2, maxTrainSteps: 6, maxGradNorm: null, extraPlugins: [gradientsOf(smallGradients)] });
    expect(small.trainer.state.batchesPerEpoch).toBe(2 * big.trainer.state.batchesPerEpoch);
    expect(small.trainer.state.stepsPerEpoch).toBe(big.trainer.state.stepsPerEpoch);
    small.losses.forEach((loss, i) => expect(loss).toBeCloseTo(big.losses[i]!, 5));
    // the accumulated gradient itself (AdamW is nearly scale-invariant, so weights alone would hide a wrong scale)
    expect(smallGradients).toHaveLength(6);
    smallGradients.forEach((g, step) => g.forEach((value, i) => expect(Math.abs(value - bigGradients[step]![i]!)).toBeLessThan(1e-6 + 1e-4 * Math.abs(value))));
    expect(maxWeightDifference(big.finalWeights, small.finalWeights)).toBeLessThan(2e-6);
    // and accumulation is not a no-op: one micro-batch of 2 per step trains differently
    const half = await recordRun({ trainBatchSize: 2, gradientAccumulationSteps: 1, maxTrainSteps: 6, maxGradNorm: null });
    expect(maxWeightDifference(big.finalWeights, half.finalWeights)).toBeGreaterThan(1e-4);
  });

  it('clips gradients by global norm: a tiny max norm changes the weights far less than no clipping', async () => {
    const start = await recordRun({ maxTrainSteps: 1, learningRate: 1e-12 });
    const clipped = await recordRun({ maxTrainSteps: 1, maxGradNorm: 1e-6, adamEpsilon: 1, adamWeightDecay: 0 });
    const free = await recordRun({ maxTrainSteps: 1, maxGradNorm: null, adamEpsilon: 1, adamWeightDecay: 0 });
    // why: with ε = 1 AdamW's first step is ~ lr·g/(|g|+1), so the update scales with the gradient and clipping shows.
    expect(maxWeightDifference(start.finalWeights, clipped.finalWeights)).toBeLessThan(1e-7);
    expect(maxWeightDifference(start.finalWeights, free.finalWeights)).toBeGreaterThan(1e-5);
  });

  it('keeps the number of tensors flat over 50 steps', async () => {
    const { tensorCounts } = await recordRun({ maxTrainSteps: 50, gradientAccumulationSteps: 2, trainBatchSize: 2 });
    expect(tensorCounts).toHaveLength(50);
    expect(new Set(tensorCounts)).toEqual(new Set([tensorCounts[0]]));
  });
});
