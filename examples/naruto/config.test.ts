import { fileURLToPath } from 'node:url';
import { loadConfig } from '@sdxl-trainer/core';
import { describe, expect, it } from 'vitest';

// The seed run cannot train here (Hub, GPU); this checks the config says what the seed command says.
describe('examples/naruto', () => {
  it('is a valid config composing the seed run', async () => {
    const config = await loadConfig(fileURLToPath(new URL('./sdxl.config.ts', import.meta.url)));
    expect(config).toMatchObject({ seed: 42, trainBatchSize: 1, gradientAccumulationSteps: 4, maxTrainSteps: 10_000, learningRate: 1e-6, lrScheduler: 'constant', lrWarmupSteps: 0 });
    expect(config.plugins.map((p) => p.name.replace('@sdxl-trainer/plugin-', ''))).toEqual([
      'sdxl-unet',
      'sdxl-vae',
      'sdxl-text-encoding',
      'sdxl-data',
      'checkpointing',
      'vae-swap',
      'adam-8bit',
      'validation',
      'tensorboard',
      'hub-push',
    ]);
  });
});
