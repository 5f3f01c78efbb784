import { fileURLToPath } from 'node:url';
import { loadConfig } from '@sdxl-trainer/core';
import { describe, expect, it } from 'vitest';

// The run itself is `npm start` (and tests/e2e runs the same composition); this checks the config composes it.
describe('examples/tiny-shapes', () => {
  it('prepares its data and pipeline and composes the SDXL preset with EMA, validation and TensorBoard', async () => {
    const config = await loadConfig(fileURLToPath(new URL('./sdxl.config.ts', import.meta.url)));
    expect(config).toMatchObject({ backend: 'wasm', trainBatchSize: 4, maxTrainSteps: 300 });
    expect(config.plugins.map((p) => p.name.replace('@sdxl-trainer/plugin-', ''))).toEqual(
      expect.arrayContaining(['sdxl-unet', 'sdxl-vae', 'sdxl-text-encoding', 'sdxl-data', 'checkpointing', 'ema', 'validation', 'tensorboard']),
    );
  }, 120_000);
});
