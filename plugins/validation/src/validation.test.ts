import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainerPlugin } from '@sdxl-trainer/core';
import { ErrorCode } from '@sdxl-trainer/errors';
import { UNet2DConditionModel } from '@sdxl-trainer/models';
import { sdxlModelSources } from '@sdxl-trainer/sdxl';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';
import { toyTrainer } from '@sdxl-trainer/tests-toy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import validation, { NAME } from './index.js';

// The toy trainer (an MLP denoiser on 8-feature data) trains here; a frozen sdxl-tiny UNet stands in trainer.models
// where the SDXL UNet plugin would put the trained one. Validation never runs (validationEpochs 100): these runs
// check what happens around it — missing requirements, and when the final test is skipped.
let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'validation-toy-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Loads the fixture UNet into trainer.models (frozen) and, unless told not to, provides every SDXL source. */
function standInUnet(options: { sources: boolean; stop?: boolean }): TrainerPlugin {
  const name = 'test:stand-in-unet';
  return {
    name,
    apply(trainer) {
      let unet: UNet2DConditionModel | undefined;
      trainer.hooks.resolveModelFiles.tap(name, (sources) => (options.sources ? { ...sources, ...sdxlModelSources(sdxlTinyFixture()) } : sources));
      trainer.hooks.loadModels.tapPromise(name, async (models) => {
        unet = await UNet2DConditionModel.fromPretrained(sdxlTinyFixture(), { subfolder: 'unet', trainable: false });
        models.set('unet', unet);
      });
      if (options.stop) trainer.hooks.beforeTrain.tap(name, () => trainer.requestStop('the test stops at once'));
      trainer.hooks.shutdown.tap(name, () => unet?.dispose());
    },
  };
}

async function runToy(plugins: TrainerPlugin[]) {
  const logs: string[] = [];
  const trainer = toyTrainer({ outputDir: join(work, 'out'), maxTrainSteps: 2, validationEpochs: 100, extraPlugins: plugins });
  trainer.events$.subscribe((event) => {
    if (event.type === 'log') logs.push(event.message);
  });
  const summary = await trainer.run();
  return { summary, logs };
}

describe('validation requirements', () => {
  it('fails in loadModels, before training, when no plugin put a UNet in trainer.models', async () => {
    await expect(runToy([validation({ prompt: 'x' })])).rejects.toThrow(
      expect.objectContaining({
        code: ErrorCode.PLUGIN_MISSING_DEPENDENCY,
        plugin: NAME,
        hook: 'loadModels',
        message: expect.stringContaining('plugin @sdxl-trainer/plugin-validation requires plugin @sdxl-trainer/plugin-sdxl-unet'),
      }),
    );
  });

  it('fails in loadModels when the component sources are missing, naming each', async () => {
    await expect(runToy([standInUnet({ sources: false }), validation({ prompt: 'x' })])).rejects.toThrow(
      expect.objectContaining({
        code: ErrorCode.MODEL_SOURCE_MISSING,
        hook: 'loadModels',
        message: expect.stringContaining('no source for "text_encoder", "text_encoder_2", "tokenizer", "tokenizer_2", "vae", "scheduler"'),
      }),
    );
  });
});

describe('the final test is skipped', () => {
  it('when the output folder has no model_index.json (no model plugin saved a pipeline)', async () => {
    const { summary, logs } = await runToy([standInUnet({ sources: true }), validation({ prompt: 'x' })]);
    expect(summary.status).toBe('completed');
    expect(logs).toContain(`no final test images: ${join(work, 'out')} has no model_index.json (no model plugin saved a diffusers pipeline there)`);
  });

  it('when the run was stopped', async () => {
    const { summary, logs } = await runToy([standInUnet({ sources: true, stop: true }), validation({ prompt: 'x' })]);
    expect(summary.status).toBe('stopped');
    expect(logs).toContain('no final test images: the run stopped (the test stops at once)');
  });

  it('when finalTest is false (no line about it)', async () => {
    const { summary, logs } = await runToy([standInUnet({ sources: true }), validation({ prompt: 'x', finalTest: false })]);
    expect(summary.status).toBe('completed');
    expect(logs.filter((line) => line.includes('final test'))).toEqual([]);
  });
});
