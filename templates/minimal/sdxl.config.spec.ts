import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, Trainer } from '@sdxl-trainer/core';
import { describe, expect, it } from 'vitest';

describe('sdxl.config.ts', () => {
  // why the timeout: the first run in a test process loads and compiles the trainer's modules (a few seconds).
  it('composes a dataset, a noise schedule and a model, and the loss falls within 150 steps', { timeout: 60_000 }, async () => {
    const config = await loadConfig(fileURLToPath(new URL('./sdxl.config.ts', import.meta.url)));
    expect(config.plugins.map((plugin) => plugin.name)).toEqual(['circle-data', 'ddpm-schedule', 'tiny-denoiser']);

    const losses: number[] = [];
    const recordLosses = { name: 'test:losses', apply: (t: Trainer) => void t.hooks.afterStep.tap('test:losses', ({ loss }) => void losses.push(loss)) };
    const outputDir = await mkdtemp(join(tmpdir(), 'minimal-'));
    const trainer = new Trainer({ ...config, maxTrainSteps: 150, outputDir, plugins: [...config.plugins, recordLosses] });
    const summary = await trainer.run();
    expect(summary.status).toBe('completed');
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    // why these windows: one step's loss depends on the timesteps it drew; 30-step means are steady.
    expect(mean(losses.slice(-30))).toBeLessThan(0.75 * mean(losses.slice(0, 30)));
    // the model's saveModel tap wrote its weights
    expect(Object.keys(JSON.parse(await readFile(join(outputDir, 'tiny-denoiser.json'), 'utf8')))).toContain('out.weight');
    await rm(outputDir, { recursive: true, force: true });
  });
});
