import type { ProgressInfo } from '@sdxl-trainer/core';
import { describe, expect, it } from 'vitest';
import { formatDuration } from './formatDuration.js';
import { ProgressRenderer, type Terminal } from './ProgressRenderer.js';

function terminal(isTTY: boolean, columns = 120): Terminal & { output: string; clock: number } {
  const t = {
    output: '',
    clock: 0,
    isTTY,
    columns,
    write(text: string) {
      t.output += text;
    },
    now: () => t.clock,
  };
  return t;
}

const progress = (step: number, extra: Partial<ProgressInfo> = {}): ProgressInfo => ({
  step,
  maxSteps: 100,
  epoch: 0,
  loss: 0.123456,
  lr: 1e-4,
  stepsPerSecond: 2.5,
  etaSeconds: (100 - step) / 2.5,
  elapsedSeconds: step / 2.5,
  ...extra,
});

describe('ProgressRenderer', () => {
  it('on a TTY redraws one bar line with step, loss, lr, steps/s and ETA', () => {
    const t = terminal(true);
    const renderer = new ProgressRenderer(t, 10);
    renderer.update(progress(25));
    expect(t.output.startsWith('\r[')).toBe(true);
    expect(t.output).toContain('25% | step 25/100 | loss 0.1235 | lr 1.00e-4 | 2.50 steps/s | ETA 0:30');
    expect(t.output.endsWith('\x1b[K')).toBe(true);
    expect(t.output).not.toContain('\n');
    const bar = /\[(█*)(░*)\]/.exec(t.output)!;
    expect(bar[1]!.length / (bar[1]!.length + bar[2]!.length)).toBeCloseTo(0.25, 1);
  });

  it('prints log lines above the bar and redraws it', () => {
    const t = terminal(true);
    const renderer = new ProgressRenderer(t, 10);
    renderer.update(progress(10));
    t.output = '';
    renderer.log('warn', 'careful');
    expect(t.output.startsWith('\r\x1b[Kwarn: careful\n[')).toBe(true);
    renderer.finish();
    expect(t.output.endsWith('\n')).toBe(true);
  });

  it('off a TTY prints a plain line every interval, and always the first and last step', () => {
    const t = terminal(false);
    const renderer = new ProgressRenderer(t, 10);
    for (let step = 1; step <= 100; step++) {
      t.clock = step * 1000; // one step per second
      renderer.update(progress(step));
    }
    const lines = t.output.trim().split('\n');
    expect(lines.map((l) => Number(/^step (\d+)\//.exec(l)![1]))).toEqual([1, 11, 21, 31, 41, 51, 61, 71, 81, 91, 100]);
    expect(lines[0]).toBe('step 1/100 (1%) epoch 1 loss 0.1235 lr 1.00e-4 2.50 steps/s elapsed 0:00 ETA 0:40');
    expect(t.output).not.toContain('\r');
  });

  it('formats durations', () => {
    expect([formatDuration(0), formatDuration(59.6), formatDuration(61), formatDuration(3725), formatDuration(Infinity)]).toEqual(['0:00', '1:00', '1:01', '1:02:05', '—']);
  });
});
