import { Stage, type StateDict, type TrainerPlugin, type TrainerSnapshot } from '@sdxl-trainer/core';
import { ErrorCode } from '@sdxl-trainer/errors';
import { maxWeightDifference, recordRun, toyTrainer } from '@sdxl-trainer/tests-toy';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import ema from './ema.js';
import { getEma } from './getEma.js';

/** diffusers' get_decay with the default options, by hand: 0 on the first step, then (1 + s) / (10 + s), s = step - 1. */
const handDecay = (step: number): number => (step === 1 ? 0 : Math.min(step / (9 + step), 0.9999));

/** A plugin that runs `fn` in afterStep at `stage`. */
function onStep(stage: number, fn: (step: number, trainer: Parameters<TrainerPlugin['apply']>[0]) => void): TrainerPlugin {
  return { name: `test:on-step-${stage}`, apply: (t) => t.hooks.afterStep.tap({ name: `test:on-step-${stage}`, stage }, ({ step }) => fn(step, t)) };
}

const read = (tensors: ReadonlyMap<string, tf.Tensor>) => new Map([...tensors].map(([name, t]) => [name, t.dataSync().slice() as Float32Array]));

/** A deep copy of a snapshot, tensor leaves of plugin state included (what a checkpoint writer persists). */
function cloneSnapshot(snapshot: TrainerSnapshot): TrainerSnapshot {
  const clone = (t: tf.Tensor) => tf.keep(t.clone());
  const deep = (value: unknown): unknown => {
    if (value instanceof tf.Tensor) return clone(value);
    if (Array.isArray(value)) return value.map(deep);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deep(v)]));
    return value;
  };
  return {
    ...(deep({ state: snapshot.state, rng: snapshot.rng, lrScheduler: snapshot.lrScheduler, optimizer: snapshot.optimizer, plugins: snapshot.plugins }) as Omit<TrainerSnapshot, 'model'>),
    model: new Map([...snapshot.model].map(([k, t]) => [k, clone(t)])),
  };
}

describe('ema plugin', () => {
  it('validates its options, naming the option, the value and what it accepts', () => {
    expect(() => ema({ decay: 2 })).toThrow(expect.objectContaining({ code: ErrorCode.CONFIG_INVALID, message: expect.stringContaining('decay: got 2; expected a number in [0, 1]') }));
    expect(() => ema({ decai: 0.9 } as never)).toThrow(/unknown option "decai"; did you mean "decay"\?/);
  });

  it('averages the trained weights with diffusers decays (float64 reference), and saves the EMA weights', async () => {
    const weightsAfterStep: Map<string, Float32Array>[] = [];
    let shadowAtEnd: Map<string, Float32Array> | undefined;
    let weightsAtEnd: Map<string, Float32Array> | undefined;
    const decays: number[] = [];
    const run = await recordRun({
      maxTrainSteps: 6,
      extraPlugins: [
        ema(),
        onStep(Stage.PRE, (_, t) => weightsAfterStep.push(read(t.snapshot().model))),
        onStep(Stage.POST, (step, t) => {
          if (step < 6) return;
          shadowAtEnd = read(getEma(t)!.shadowParams);
          weightsAtEnd = read(t.snapshot().model);
        }),
        { name: 'test:metrics', apply: (t) => void t.events$.subscribe((e) => e.type === 'metrics' && decays.push(e.values['ema/decay']!)) },
      ],
    });
    expect(decays).toEqual([1, 2, 3, 4, 5, 6].map(handDecay));

    // Float64 reference: shadow starts as the initial weights; after step k, s -= (1 - d_k) (s - p_k).
    const reference = new Map([...weightsAfterStep[0]!].map(([name]) => [name, new Float64Array(weightsAfterStep[0]!.get(name)!.length)]));
    weightsAfterStep.forEach((weights, k) => {
      const d = handDecay(k + 1);
      for (const [name, s] of reference) {
        const p = weights.get(name)!;
        for (let i = 0; i < s.length; i++) s[i] = k === 0 ? p[i]! : s[i]! - (1 - d) * (s[i]! - p[i]!);
      }
    });
    let worst = 0;
    for (const [name, s] of reference) s.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - shadowAtEnd!.get(name)![i]!))));
    expect(worst).toBeLessThan(1e-6);

    expect(maxWeightDifference(shadowAtEnd!, weightsAtEnd!)).toBeGreaterThan(1e-3); // the average lags the weights
    expect(maxWeightDifference(run.finalWeights, shadowAtEnd!)).toBe(0); // saveModel saw the EMA weights
  });

  it('rides in the snapshot: a run restored mid-way continues exactly', async () => {
    let saved: TrainerSnapshot | undefined;
    const saver: TrainerPlugin = { name: 'test:saver', apply: (t) => t.hooks.saveState.tap('test:saver', ({ step, snapshot }) => void (step === 4 && (saved = cloneSnapshot(snapshot)))) };
    const whole = await recordRun({ samples: 12, maxTrainSteps: 8, checkpointingSteps: 4, extraPlugins: [ema(), saver] });
    const emaState = saved!.plugins['@sdxl-trainer/plugin-ema'] as StateDict;
    expect(emaState['optimizationStep']).toBe(4);
    expect(Object.keys(emaState['shadowParams'] as object).sort()).toEqual([...saved!.model.keys()].sort());

    let resumedSteps = 0;
    const restorer: TrainerPlugin = { name: 'test:restorer', apply: (t) => t.hooks.beforeTrain.tapPromise('test:restorer', () => t.restore(saved!)) };
    const resumed = await recordRun({
      samples: 12,
      maxTrainSteps: 8,
      extraPlugins: [ema(), restorer, onStep(Stage.POST, (_, t) => void (resumedSteps = getEma(t)!.optimizationStep))],
    });
    expect(resumed.losses).toEqual(whole.losses.slice(4));
    expect(resumedSteps).toBe(8);
    expect(maxWeightDifference(resumed.finalWeights, whole.finalWeights)).toBe(0); // EMA weights, saved at the end of both
  });

  it('lets other plugins run on the EMA weights and puts the trained weights back', async () => {
    const checks: { inside: number; after: number }[] = [];
    await recordRun({
      maxTrainSteps: 3,
      extraPlugins: [
        ema(),
        {
          name: 'test:validator',
          apply: (t) =>
            t.hooks.afterStep.tapPromise({ name: 'test:validator', stage: Stage.POST }, async () => {
              const weights = getEma(t)!;
              const trained = read(t.snapshot().model);
              const shadows = read(weights.shadowParams);
              const inside = await weights.withEmaWeights(async () => maxWeightDifference(read(t.snapshot().model), shadows));
              checks.push({ inside, after: maxWeightDifference(read(t.snapshot().model), trained) });
            }),
        },
      ],
    });
    expect(checks).toHaveLength(3);
    for (const { inside, after } of checks) expect([inside, after]).toEqual([0, 0]);
  });

  it('keeps the tensor count flat and frees its shadows at shutdown', async () => {
    const baseline = tf.memory().numTensors;
    const plain = await recordRun({ maxTrainSteps: 12 });
    expect(tf.memory().numTensors).toBe(baseline);
    let shadowCount = 0;
    const withEma = await recordRun({ maxTrainSteps: 12, extraPlugins: [ema(), onStep(Stage.POST, (_, t) => void (shadowCount = getEma(t)!.shadowParams.size))] });
    expect(new Set(withEma.tensorCounts).size).toBe(1);
    expect(withEma.tensorCounts[0]! - plain.tensorCounts[0]!).toBe(shadowCount);
    expect(tf.memory().numTensors).toBe(baseline);
    expect(getEma(withEma.trainer)!.ready).toBe(false);
  });

  it("is reachable through core's EmaWeights token (so validation and saving need not import this plugin)", async () => {
    const { EmaWeights } = await import('@sdxl-trainer/core');
    const trainer = toyTrainer({ maxTrainSteps: 1, extraPlugins: [ema()] });
    trainer.prepare();
    expect(trainer.container.resolve(EmaWeights)).toBe(getEma(trainer));
    expect(trainer.container.resolve(Symbol.for('@sdxl-trainer/core:EmaWeights'))).toBe(getEma(trainer));
  });
});
