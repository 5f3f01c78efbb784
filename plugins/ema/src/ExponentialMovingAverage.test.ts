import { setTestBackend } from '@sdxl-trainer/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExponentialMovingAverage } from './ExponentialMovingAverage.js';

const DEFAULTS = { decay: 0.9999, minDecay: 0, updateAfterStep: 0, useEmaWarmup: false, invGamma: 1, power: 2 / 3 };
// diffusers' get_decay with the defaults, by hand: 0, then (1 + s) / (10 + s) with s = step - 1.
const HAND_DECAYS = [0, 2 / 11, 3 / 12, 4 / 13, 5 / 14, 6 / 15];

beforeAll(async () => {
  await setTestBackend();
});

/** Deterministic pseudo-random floats in [-2, 2). */
function values(n: number, seed: number): Float32Array {
  let x = seed;
  return Float32Array.from({ length: n }, () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return (x / 2 ** 32) * 4 - 2;
  });
}

function makeParams(): Map<string, tf.Variable> {
  return new Map<string, tf.Variable>([
    ['w', tf.variable(tf.tensor2d(values(6, 1), [2, 3]))],
    ['b', tf.variable(tf.tensor1d(values(3, 2)))],
  ]);
}

describe('ExponentialMovingAverage', () => {
  it('moves the shadows like diffusers EMAModel.step, within float32 rounding of a float64 reference', () => {
    const params = makeParams();
    const ema = new ExponentialMovingAverage(params, DEFAULTS);
    const reference = new Map([...params].map(([name, v]) => [name, Float64Array.from(v.dataSync())]));
    for (let k = 0; k < HAND_DECAYS.length; k++) {
      for (const [name, v] of params) v.assign(tf.tensor(values(v.size, 100 * k + name.length), v.shape));
      expect(ema.step()).toBe(HAND_DECAYS[k]);
      for (const [name, v] of params) {
        const p = v.dataSync();
        const s = reference.get(name)!;
        // s <- s - (1 - decay) * (s - p)   (training_utils.py, EMAModel.step)
        for (let i = 0; i < s.length; i++) s[i] = s[i]! - (1 - HAND_DECAYS[k]!) * (s[i]! - p[i]!);
      }
      for (const [name, shadow] of ema.shadowParams) {
        const got = shadow.dataSync();
        const want = reference.get(name)!;
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-6);
      }
    }
    expect(ema.optimizationStep).toBe(HAND_DECAYS.length);
    expect(ema.currentDecay).toBe(HAND_DECAYS.at(-1));
    ema.dispose();
    params.forEach((v) => v.dispose());
  });

  it('gives identical shadows with foreach (one tidy) and without', () => {
    const a = makeParams();
    const b = makeParams();
    const one = new ExponentialMovingAverage(a, DEFAULTS, { foreach: true });
    const many = new ExponentialMovingAverage(b, DEFAULTS, { foreach: false });
    for (let k = 0; k < 4; k++) {
      for (const params of [a, b]) for (const [name, v] of params) v.assign(tf.tensor(values(v.size, 7 * k + name.length), v.shape));
      one.step();
      many.step();
    }
    for (const [name, shadow] of one.shadowParams) expect(shadow.dataSync()).toEqual(many.shadowParams.get(name)!.dataSync());
    [one, many].forEach((e) => e.dispose());
    [a, b].forEach((params) => params.forEach((v) => v.dispose()));
  });

  it('copyTo puts the shadows in, store/restore put the weights back', () => {
    const params = makeParams();
    const ema = new ExponentialMovingAverage(params, DEFAULTS);
    ema.step();
    for (const v of params.values()) v.assign(tf.add(v, 1));
    ema.step(); // decay 2/11: the shadow is now between the old and new weights
    const weights = new Map([...params].map(([name, v]) => [name, v.dataSync().slice()]));
    const shadows = new Map([...ema.shadowParams].map(([name, v]) => [name, v.dataSync().slice()]));
    expect(shadows.get('w')).not.toEqual(weights.get('w'));

    ema.store();
    ema.copyTo();
    for (const [name, v] of params) expect(v.dataSync()).toEqual(shadows.get(name));
    ema.restore();
    for (const [name, v] of params) expect(v.dataSync()).toEqual(weights.get(name));
    expect(() => ema.restore()).toThrow(/without a store/);
    ema.dispose();
    params.forEach((v) => v.dispose());
  });

  it('round-trips through stateDict / loadStateDict and continues identically', () => {
    const params = makeParams();
    const original = new ExponentialMovingAverage(params, { ...DEFAULTS, decay: 0.5 });
    original.step();
    original.step();
    const state = original.stateDict();
    expect(Object.keys(state).sort()).toEqual(['decay', 'invGamma', 'minDecay', 'optimizationStep', 'power', 'shadowParams', 'updateAfterStep', 'useEmaWarmup']);

    const copy = new ExponentialMovingAverage(params, DEFAULTS);
    const saved = Object.fromEntries(Object.entries(state.shadowParams).map(([name, t]) => [name, t.clone()]));
    copy.loadStateDict({ ...state, shadowParams: saved });
    Object.values(saved).forEach((t) => t.dispose()); // the average keeps its own reference
    expect(copy.schedule.decay).toBe(0.5); // diffusers: the saved settings win
    expect(copy.optimizationStep).toBe(2);
    for (const v of params.values()) v.assign(tf.mul(v, -1));
    expect(copy.step()).toBe(original.step());
    for (const [name, shadow] of original.shadowParams) expect(copy.shadowParams.get(name)!.dataSync()).toEqual(shadow.dataSync());
    [original, copy].forEach((e) => e.dispose());
    params.forEach((v) => v.dispose());
  });

  it('refuses a state that does not fit, naming the parameter or field', () => {
    const params = makeParams();
    const ema = new ExponentialMovingAverage(params, DEFAULTS);
    const state = ema.stateDict();
    expect(() => ema.loadStateDict({ ...state, shadowParams: { w: state.shadowParams['w']! } })).toThrow(/no shadow for "b"/);
    const wrong = tf.zeros([4]);
    expect(() => ema.loadStateDict({ ...state, shadowParams: { ...state.shadowParams, b: wrong } })).toThrow(/shadow of "b" is float32 \[4\], the model has float32 \[3\]/);
    expect(() => ema.loadStateDict({ ...state, optimizationStep: -1 })).toThrow(/optimizationStep/);
    expect(() => ema.loadStateDict({ ...state, shadowParams: { ...state.shadowParams, extra: wrong } })).toThrow(/does not have: extra/);
    wrong.dispose();
    ema.dispose();
    params.forEach((v) => v.dispose());
  });

  it('keeps the tensor count flat over steps and frees everything on dispose', () => {
    const params = makeParams();
    const before = tf.memory().numTensors;
    const ema = new ExponentialMovingAverage(params, DEFAULTS);
    const counts: number[] = [];
    for (let k = 0; k < 5; k++) {
      ema.step();
      ema.store();
      ema.copyTo();
      ema.restore();
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBe(before + params.size);
    ema.store();
    ema.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => ema.step()).toThrow(/after dispose/);
    params.forEach((v) => v.dispose());
  });
});
