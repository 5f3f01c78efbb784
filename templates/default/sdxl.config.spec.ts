import { fileURLToPath } from 'node:url';
import { loadConfig } from '@sdxl-trainer/core';
import { describe, expect, it } from 'vitest';

describe('sdxl.config.ts', () => {
  it('loads, and composes the SDXL preset with EMA, checkpoints, validation and TensorBoard', { timeout: 60_000 }, async () => {
    // why: loading runs the config function, which makes the tiny dataset and model under .cache/ the first time
    const config = await loadConfig(fileURLToPath(new URL('./sdxl.config.ts', import.meta.url)));
    expect(config.trainBatchSize).toBe(4);
    expect(config.plugins.map((plugin) => plugin.name).sort()).toEqual(
      [
        '@sdxl-trainer/plugin-sdxl-unet',
        '@sdxl-trainer/plugin-sdxl-vae',
        '@sdxl-trainer/plugin-sdxl-text-encoding',
        '@sdxl-trainer/plugin-sdxl-data',
        '@sdxl-trainer/plugin-checkpointing',
        '@sdxl-trainer/plugin-ema',
        '@sdxl-trainer/plugin-validation',
        '@sdxl-trainer/plugin-tensorboard',
      ].sort(),
    );
  });
});
