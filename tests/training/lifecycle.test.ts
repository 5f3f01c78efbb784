import { ErrorCode, SdxlError, isSdxlError } from '@sdxl-trainer/errors';
import { Stage, type TrainerEvent, type TrainerHookName, type TrainerPlugin } from '@sdxl-trainer/core';
import { describe, expect, it } from 'vitest';
import { toyTrainer } from '@sdxl-trainer/tests-toy';

/** A plugin that records every hook it sees, in order. */
function hookRecorder(calls: string[]): TrainerPlugin {
  const name = 'test:hook-recorder';
  const note = (hook: TrainerHookName, detail = ''): void => void calls.push(detail ? `${hook}(${detail})` : hook);
  return {
    name,
    apply(t) {
      const h = t.hooks;
      h.environment.tap(name, () => note('environment'));
      h.configResolved.tap(name, () => note('configResolved'));
      h.resolveModelFiles.tapPromise(name, async (sources) => (note('resolveModelFiles'), sources));
      h.loadModels.tapPromise(name, async () => note('loadModels'));
      h.prepareDataset.tapPromise(name, async (d) => (note('prepareDataset'), d));
      h.precompute.tapPromise(name, async (d) => (note('precompute'), d));
      h.createOptimizer.tap(name, (f) => (note('createOptimizer'), f));
      h.beforeTrain.tapPromise(name, async () => note('beforeTrain'));
      h.beforeEpoch.tapPromise(name, async ({ epoch }) => note('beforeEpoch', String(epoch)));
      h.beforeStep.tapPromise(name, async ({ step }) => note('beforeStep', String(step)));
      h.sampleNoise.tap(name, (n) => (note('sampleNoise'), n));
      h.sampleTimesteps.tap(name, (s) => (note('sampleTimesteps'), s));
      h.computeLossWeights.tap(name, (w) => (note('computeLossWeights'), w));
      h.afterBackward.tap(name, () => note('afterBackward'));
      h.beforeOptimizerStep.tap(name, (g) => (note('beforeOptimizerStep'), g));
      h.afterStep.tapPromise(name, async ({ step }) => note('afterStep', String(step)));
      h.saveState.tapPromise(name, async ({ step }) => note('saveState', String(step)));
      h.afterEpoch.tapPromise(name, async ({ epoch }) => note('afterEpoch', String(epoch)));
      h.validate.tapPromise(name, async ({ epoch }) => note('validate', String(epoch)));
      h.saveModel.tapPromise(name, async () => note('saveModel'));
      h.afterTrain.tapPromise(name, async ({ status }) => note('afterTrain', status));
      h.failed.tapPromise(name, async (e) => note('failed', e.code));
      h.shutdown.tapPromise(name, async ({ status }) => note('shutdown', status));
    },
  };
}

const stepHooks = (step: number) => [
  `beforeStep(${step})`,
  'sampleNoise',
  'sampleTimesteps',
  'computeLossWeights',
  'afterBackward',
  'beforeOptimizerStep',
  `afterStep(${step})`,
];

describe('the run lifecycle', () => {
  it('calls every hook in the documented order', async () => {
    const calls: string[] = [];
    // 8 samples, batches of 4: 2 steps per epoch, 4 steps = 2 epochs; checkpoint every 2 steps; validate every epoch.
    await toyTrainer({ samples: 8, maxTrainSteps: 4, checkpointingSteps: 2, extraPlugins: [hookRecorder(calls)] }).run();
    expect(calls).toEqual([
      'environment',
      'configResolved',
      'resolveModelFiles',
      'loadModels',
      'prepareDataset',
      'precompute',
      'createOptimizer',
      'beforeTrain',
      'beforeEpoch(0)',
      ...stepHooks(1),
      ...stepHooks(2),
      'saveState(2)',
      'afterEpoch(0)',
      'validate(0)',
      'beforeEpoch(1)',
      ...stepHooks(3),
      ...stepHooks(4),
      'saveState(4)',
      'afterEpoch(1)',
      'validate(1)',
      'saveModel',
      'afterTrain(completed)',
      'shutdown(completed)',
    ]);
  });

  it('runs taps by stage, then by registration order', async () => {
    const order: string[] = [];
    const plugin: TrainerPlugin = {
      name: 'test:stages',
      apply(t) {
        t.hooks.beforeTrain.tap({ name: 'report', stage: Stage.REPORT }, () => void order.push('report'));
        t.hooks.beforeTrain.tap({ name: 'default-1' }, () => void order.push('default-1'));
        t.hooks.beforeTrain.tap({ name: 'pre', stage: Stage.PRE }, () => void order.push('pre'));
        t.hooks.beforeTrain.tap({ name: 'default-2', stage: Stage.DEFAULT }, () => void order.push('default-2'));
      },
    };
    await toyTrainer({ maxTrainSteps: 1, extraPlugins: [plugin] }).run();
    expect(order).toEqual(['pre', 'default-1', 'default-2', 'report']);
  });

  it('applies pre plugins before the built-in defaults and post plugins last', () => {
    const mk = (name: string, enforce?: 'pre' | 'post'): TrainerPlugin => ({ name, enforce, apply() {} });
    const trainer = toyTrainer({ extraPlugins: [mk('late', 'post'), mk('early', 'pre'), mk('normal')] });
    const names = trainer.plugins.map((p) => p.name);
    expect(names.indexOf('early')).toBeLessThan(names.indexOf('@sdxl-trainer/core:default-flow'));
    expect(names.indexOf('@sdxl-trainer/core:default-flow')).toBeLessThan(names.indexOf('normal'));
    expect(names.at(-1)).toBe('late');
  });

  it('streams typed events and completes the stream at the end', async () => {
    const events: TrainerEvent[] = [];
    let completed = false;
    const trainer = toyTrainer({ samples: 8, maxTrainSteps: 2 });
    trainer.events$.subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
    await trainer.run();
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('log');
    expect(types).toContain('run:start');
    expect(types.filter((t) => t === 'progress')).toHaveLength(2);
    expect(types.filter((t) => t === 'metrics')).toHaveLength(2);
    expect(types.at(-1)).toBe('run:end');
    expect(completed).toBe(true);
    const metrics = events.find((e) => e.type === 'metrics');
    expect(metrics && metrics.type === 'metrics' && Object.keys(metrics.values).sort()).toEqual(['train/grad_norm', 'train/loss', 'train/lr', 'train/step_loss']);
  });
  it('lets a later plugin redirect a model source (resolveModelFiles waterfall) before models load', async () => {
    let seen: unknown;
    const provider: TrainerPlugin = {
      name: 'test:provider',
      apply: (t) =>
        t.hooks.resolveModelFiles.tap({ name: 'test:provider', stage: Stage.PROVIDE }, (sources) => ({
          ...sources,
          unet: { path: 'org/base', subfolder: 'unet' },
          vae: { path: 'org/base', subfolder: 'vae' },
        })),
    };
    const swap: TrainerPlugin = {
      name: 'test:swap',
      apply: (t) => t.hooks.resolveModelFiles.tap('test:swap', (sources) => ({ ...sources, vae: { path: 'org/better-vae' } })),
    };
    const reader: TrainerPlugin = { name: 'test:reader', apply: (t) => t.hooks.loadModels.tap('test:reader', () => void (seen = t.modelSources)) };
    await toyTrainer({ maxTrainSteps: 1, extraPlugins: [swap, reader, provider] }).run();
    expect(seen).toEqual({ unet: { path: 'org/base', subfolder: 'unet' }, vae: { path: 'org/better-vae' } });
  });
});

describe('a failing plugin', () => {
  async function failure(plugin: TrainerPlugin): Promise<{ error: SdxlError; calls: string[] }> {
    const calls: string[] = [];
    try {
      await toyTrainer({ maxTrainSteps: 2, extraPlugins: [hookRecorder(calls), plugin] }).run();
    } catch (error) {
      if (!isSdxlError(error)) throw error;
      return { error, calls };
    }
    throw new Error('the run was expected to fail');
  }

  it('is reported with its name and hook (async hook), and failed + shutdown still run', async () => {
    const { error, calls } = await failure({
      name: 'test:bad-data',
      apply(t) {
        t.hooks.prepareDataset.tapPromise('test:bad-data', async () => {
          throw new Error('disk on fire');
        });
      },
    });
    expect(error.code).toBe('PLUGIN_HOOK_FAILED');
    expect(error.plugin).toBe('test:bad-data');
    expect(error.hook).toBe('prepareDataset');
    expect(error.message).toBe('plugin "test:bad-data" failed in hook "prepareDataset": disk on fire');
    expect((error.cause as Error).message).toBe('disk on fire');
    expect(calls.slice(-2)).toEqual(['failed(PLUGIN_HOOK_FAILED)', 'shutdown(failed)']);
  });

  it('is reported with its name and hook from inside a training step (sync hook under the gradient tape)', async () => {
    const { error } = await failure({
      name: 'test:bad-weights',
      apply(t) {
        t.hooks.computeLossWeights.tap('test:bad-weights', () => {
          throw new RangeError('gamma must be positive');
        });
      },
    });
    expect([error.plugin, error.hook]).toEqual(['test:bad-weights', 'computeLossWeights']);
    expect(error.message).toMatch(/gamma must be positive/);
  });

  it('keeps the code of an SdxlError it threw, and fails in apply with hook "apply"', async () => {
    const { error } = await failure({
      name: 'test:strict',
      apply(t) {
        t.hooks.beforeTrain.tap('test:strict', () => {
          throw new SdxlError(ErrorCode.CONFIG_INVALID, 'x');
        });
      },
    });
    expect([error.code, error.plugin, error.hook]).toEqual(['CONFIG_INVALID', 'test:strict', 'beforeTrain']);
    expect(() =>
      toyTrainer({
        extraPlugins: [
          {
            name: 'test:broken-apply',
            apply() {
              throw new Error('no');
            },
          },
        ],
      }),
    ).toThrow(expect.objectContaining({ plugin: 'test:broken-apply', hook: 'apply' }));
  });

  it('a run without a model or without data says what is missing', async () => {
    const { Trainer } = await import('@sdxl-trainer/core');
    await expect(new Trainer({ backend: 'cpu', plugins: [] }).run()).rejects.toThrow(/there is no training data/);
  });
});
