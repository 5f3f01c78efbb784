import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { TrainerPlugin, TrainerSnapshot } from '@sdxl-trainer/core';
import { cloneSnapshot, maxWeightDifference, recordRun } from '@sdxl-trainer/tests-toy';
import { describe, expect, it } from 'vitest';
import adam8bit, { adam8bitOptionsSchema } from './index.js';

/** A plugin that collects the run's log lines. */
function logCollector(lines: string[]): TrainerPlugin {
  return { name: 'test:logs', apply: (t) => void t.events$.subscribe((e) => e.type === 'log' && lines.push(e.message)) };
}

function configProblem(run: () => unknown): SdxlError {
  try {
    run();
  } catch (error) {
    if (error instanceof SdxlError) return error;
    throw error;
  }
  throw new Error('expected an SdxlError');
}

describe('adam8bit options', () => {
  it('defaults to bitsandbytes AdamW8bit: blocks of 256, tensors under 4096 values in float32', () => {
    expect(adam8bitOptionsSchema.parse({})).toEqual({ blockSize: 256, minEightBitSize: 4096 });
  });

  it.each([
    [{ blockSize: 6 }, /blockSize: got 6; expected a multiple of 4/],
    [{ blockSize: 0 }, /blockSize: got 0; expected a multiple of 4/],
    [{ blockSize: '256' }, /blockSize: got "256"; expected a multiple of 4/],
    [{ minEightBitSize: -1 }, /minEightBitSize: got -1; expected a non-negative integer/],
    [{ minEightBitSize: 1.5 }, /minEightBitSize: got 1.5; expected a non-negative integer/],
    [{ block_size: 256 }, /unknown option "block_size"; known options: blockSize, minEightBitSize/],
  ])('refuses %j with CONFIG_INVALID naming the option and value', (options, message) => {
    const error = configProblem(() => adam8bit(options as never));
    expect(error.code).toBe(ErrorCode.CONFIG_INVALID);
    expect(error.message).toMatch(/@sdxl-trainer\/plugin-adam-8bit options/);
    expect(error.message).toMatch(message);
  });
});

describe('adam8bit in a training run (toy MLP denoiser, cpu)', () => {
  it('with the defaults keeps every toy tensor (all under 4096 values) in float32: the run equals plain AdamW exactly', async () => {
    const lines: string[] = [];
    const plain = await recordRun({ maxTrainSteps: 8 });
    const eight = await recordRun({ maxTrainSteps: 8, extraPlugins: [adam8bit(), logCollector(lines)] });
    expect(lines.some((l) => l.startsWith('optimizer adamw8bit'))).toBe(true);
    expect(lines.some((l) => /8-bit AdamW: 0 tensors \(0 values\) in 8-bit blocks of 256, 6 under 4096 values/.test(l))).toBe(true);
    expect(eight.losses).toEqual(plain.losses);
    expect(maxWeightDifference(eight.finalWeights, plain.finalWeights)).toBe(0);
  });

  it('with every tensor in 8 bits tracks the float32 run: loss within 2.5% per step and 0.5% over the last 20 steps, weights within 10% of their travel', async () => {
    const steps = 60;
    const lines: string[] = [];
    const initial = new Map<string, Float32Array>();
    const keepInitial = (m: { trainableVariables: ReadonlyMap<string, { dataSync(): ArrayLike<number> }> }) => {
      for (const [name, v] of m.trainableVariables) initial.set(name, Float32Array.from(v.dataSync()));
    };
    const plain = await recordRun({ maxTrainSteps: steps, onModel: keepInitial });
    const eight = await recordRun({ maxTrainSteps: steps, extraPlugins: [adam8bit({ minEightBitSize: 0, blockSize: 64 }), logCollector(lines)] });
    // 8+16+3 inputs → 32 hidden → 8 outputs: 256 + 512 + 96 + 32 + 256 + 8 values
    expect(lines.some((l) => /8-bit AdamW: 6 tensors \(1160 values\) in 8-bit blocks of 64, 0 under 0 values/.test(l))).toBe(true);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(plain.losses.slice(-10))).toBeLessThan(0.5 * mean(plain.losses.slice(0, 10)));
    const perStep = Math.max(...plain.losses.map((l, k) => Math.abs(eight.losses[k]! - l) / l));
    expect(perStep).toBeLessThan(0.025);
    expect(Math.abs(mean(eight.losses.slice(-20)) - mean(plain.losses.slice(-20))) / mean(plain.losses.slice(-20))).toBeLessThan(0.005);
    expect(maxWeightDifference(eight.finalWeights, plain.finalWeights)).toBeLessThan(0.1 * maxWeightDifference(plain.finalWeights, initial));
    // no tensor leaks from step to step
    expect(new Set(eight.tensorCounts).size).toBe(1);
  });

  it('resumes from a snapshot (8-bit codes in the checkpoint) exactly as the uninterrupted run', async () => {
    let saved: TrainerSnapshot | undefined;
    const options = { minEightBitSize: 0, blockSize: 64 };
    const saver: TrainerPlugin = {
      name: 'test:saver',
      apply: (t) => t.hooks.saveState.tap('test:saver', ({ step, snapshot }) => void (step === 5 && (saved = cloneSnapshot(snapshot)))),
    };
    const whole = await recordRun({ samples: 12, maxTrainSteps: 10, checkpointingSteps: 5, extraPlugins: [adam8bit(options), saver] });
    expect(saved!.optimizer.tensors['exp_avg_codes.in.weight']!.dtype).toBe('int32');
    const restorer: TrainerPlugin = { name: 'test:restorer', apply: (t) => t.hooks.beforeTrain.tapPromise('test:restorer', () => t.restore(saved!)) };
    const resumed = await recordRun({ samples: 12, maxTrainSteps: 10, extraPlugins: [adam8bit(options), restorer] });
    expect(resumed.losses).toEqual(whole.losses.slice(5));
    expect(maxWeightDifference(resumed.finalWeights, whole.finalWeights)).toBe(0);
  });
});
