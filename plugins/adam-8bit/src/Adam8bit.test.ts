import * as tf from '@tensorflow/tfjs-core';
import { AdamW, type OptimizerState } from '@sdxl-trainer/core';
import { initBackend } from '@sdxl-trainer/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { Adam8bit, type Adam8bitLayout } from './Adam8bit.js';
import { BlockwiseQuantizer } from './BlockwiseQuantizer.js';
import { createDynamicMap } from './dynamicMap.js';
import { unpackCodes } from './packCodes.js';
import { ReferenceAdam8bit, seededRandom, spreadValues } from './testing/reference.js';

const settings = { beta1: 0.9, beta2: 0.999, weightDecay: 1e-2, epsilon: 1e-8 };
const layout: Adam8bitLayout = { blockSize: 256, minEightBitSize: 4096 };

beforeEach(async () => {
  await initBackend({ backend: 'cpu' });
});

/** Named variables from arrays (each gets its own copy). */
function variables(init: Record<string, Float32Array | { values: Float32Array; shape: number[] }>): Map<string, tf.Variable> {
  return new Map(
    Object.entries(init).map(([name, x]) => {
      const { values, shape } = x instanceof Float32Array ? { values: x, shape: [x.length] } : x;
      return [name, tf.variable(tf.tensor(values, shape), true, `test-${name}-${Math.random()}`)];
    }),
  );
}

/** Gradients for step k: fixed random directions whose scale drifts, so moments keep changing. */
function gradientsAt(k: number, sizes: Record<string, number>): Map<string, Float32Array> {
  return new Map(Object.entries(sizes).map(([name, n], i) => [name, spreadValues(n, 256, 1000 * k + i, 2)]));
}

function stepWith(optimizer: { step(g: Map<string, tf.Tensor>, lr: number): void }, vars: Map<string, tf.Variable>, grads: Map<string, Float32Array>, lr: number): void {
  tf.tidy(() => optimizer.step(new Map([...grads].map(([name, g]) => [name, tf.tensor(g, vars.get(name)!.shape)])), lr));
}

function read(vars: Map<string, tf.Variable>): Map<string, Float32Array> {
  return new Map([...vars].map(([name, v]) => [name, v.dataSync().slice() as Float32Array]));
}

function dispose(vars: Map<string, tf.Variable>): void {
  for (const v of vars.values()) v.dispose();
}

describe('Adam8bit', () => {
  it.each(['ops', 'host'] as const)('%s: matches a scalar float32 reference of bitsandbytes 8-bit blockwise AdamW bit for bit (weights, codes, absmax) over 12 steps, tensor count flat', (execution) => {
    const n = 5000; // not a multiple of the block: the last block is padded
    const initial = spreadValues(n, 256, 1, 1);
    const vars = variables({ w: { values: initial, shape: [50, 100] } });
    const optimizer = new Adam8bit(vars, settings, { ...layout, execution });
    expect(optimizer.execution).toBe(execution);
    const maps = { signed: createDynamicMap(true), unsigned: createDynamicMap(false) };
    const reference = new ReferenceAdam8bit(initial, settings, maps, 256);
    const counts: number[] = [];
    for (let k = 1; k <= 12; k++) {
      const grads = gradientsAt(k, { w: n });
      const lr = 1e-3 * (1 + 0.1 * k);
      stepWith(optimizer, vars, grads, lr);
      reference.step(grads.get('w')!, lr);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    expect(Array.from(vars.get('w')!.dataSync())).toEqual(Array.from(reference.param));
    const state = optimizer.stateDict();
    expect(state.step).toBe(12);
    tf.tidy(() => {
      expect(Array.from(unpackCodes(state.tensors['exp_avg_codes.w'] as tf.Tensor1D).dataSync())).toEqual(Array.from(reference.m.codes));
      expect(Array.from(unpackCodes(state.tensors['exp_avg_sq_codes.w'] as tf.Tensor1D).dataSync())).toEqual(Array.from(reference.v.codes));
    });
    expect(Array.from(state.tensors['exp_avg_absmax.w']!.dataSync())).toEqual(Array.from(reference.m.absmax));
    expect(Array.from(state.tensors['exp_avg_sq_absmax.w']!.dataSync())).toEqual(Array.from(reference.v.absmax));
    optimizer.dispose();
    dispose(vars);
  });

  it("takes core AdamW's first step exactly (zero moments dequantise to exact zeros; same float32 ops)", () => {
    const initial = spreadValues(6000, 256, 2, 1);
    const a = variables({ w: initial });
    const b = variables({ w: initial });
    const eight = new Adam8bit(a, settings, layout);
    const float = new AdamW(b, settings);
    const grads = gradientsAt(1, { w: 6000 });
    stepWith(eight, a, grads, 1e-3);
    stepWith(float, b, grads, 1e-3);
    expect(Array.from(a.get('w')!.dataSync())).toEqual(Array.from(b.get('w')!.dataSync()));
    eight.dispose();
    float.dispose();
    dispose(a);
    dispose(b);
  });

  it('keeps parameters under minEightBitSize in float32, identical to core AdamW at every step', () => {
    const init = { small: spreadValues(4095, 256, 3, 1), big: spreadValues(4096, 256, 4, 1) };
    const a = variables(init);
    const b = variables({ small: init.small });
    const eight = new Adam8bit(a, settings, layout);
    const float = new AdamW(b, settings);
    for (let k = 1; k <= 6; k++) {
      const grads = gradientsAt(k, { small: 4095, big: 4096 });
      stepWith(eight, a, grads, 1e-3);
      stepWith(float, b, new Map([['small', grads.get('small')!]]), 1e-3);
    }
    expect(Array.from(a.get('small')!.dataSync())).toEqual(Array.from(b.get('small')!.dataSync()));
    const state = eight.stateDict();
    expect(state.tensors['exp_avg.small']!.dtype).toBe('float32');
    expect(state.tensors['exp_avg_codes.small']).toBeUndefined();
    expect(state.tensors['exp_avg_codes.big']!.dtype).toBe('int32');
    expect(state.tensors['exp_avg_codes.big']!.shape).toEqual([1024]);
    expect(state.tensors['exp_avg_sq_absmax.big']!.shape).toEqual([16]);
    expect(state.extra).toMatchObject({ blockSize: 256, minEightBitSize: 4096 });
    expect(eight.summary()).toMatchObject({ eightBitTensors: 1, eightBitValues: 4096, float32Tensors: 1, float32Values: 4095 });
    eight.dispose();
    float.dispose();
    dispose(a);
    dispose(b);
  });

  it('tracks float32 AdamW on a quadratic: loss within 3% of it at every step, weights within 5% (L2) of their travel', () => {
    // f(w) = ½ Σ a_i (w_i − c_i)², curvatures a_i spread over 10^±0.5, 8192 weights, 300 steps at lr 1e-2
    const n = 8192;
    const random = seededRandom(3);
    const a = tf.keep(tf.tensor1d(Float32Array.from({ length: n }, () => 10 ** (random() - 0.5))));
    const c = tf.keep(tf.tensor1d(spreadValues(n, 256, 4, 0)));
    const run = (make: (vars: Map<string, tf.Variable>) => { step(g: Map<string, tf.Tensor>, lr: number): void; dispose(): void }) => {
      const vars = variables({ w: new Float32Array(n) });
      const w = vars.get('w')!;
      const optimizer = make(vars);
      const losses: number[] = [];
      for (let k = 0; k < 300; k++) {
        tf.tidy(() => {
          const d = tf.sub(w, c);
          losses.push(tf.sum(tf.mul(a, tf.square(d))).dataSync()[0]! / 2);
          optimizer.step(new Map([['w', tf.mul(a, d)]]), 1e-2);
        });
      }
      const weights = w.dataSync().slice();
      optimizer.dispose();
      dispose(vars);
      return { losses, weights };
    };
    const float = run((vars) => new AdamW(vars, settings));
    const eight = run((vars) => new Adam8bit(vars, settings, layout));
    a.dispose();
    c.dispose();
    expect(float.losses[299]!).toBeLessThan(float.losses[0]! / 50);
    const lossGap = Math.max(...float.losses.map((l, k) => Math.abs(eight.losses[k]! - l) / l));
    expect(lossGap).toBeLessThan(0.03);
    const norm = (x: ArrayLike<number>, y?: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((sum, xi, i) => sum + (xi - (y ? y[i]! : 0)) ** 2, 0));
    expect(norm(eight.weights, float.weights) / norm(float.weights)).toBeLessThan(0.05);
  });

  it('continues identically from its stateDict (weights and codes bit for bit), tensor count flat over steps', () => {
    const init = { a: spreadValues(9000, 256, 12, 1), b: spreadValues(300, 256, 13, 1) };
    const sizes = { a: 9000, b: 300 };
    const first = variables(init);
    const optimizer = new Adam8bit(first, settings, layout);
    for (let k = 1; k <= 4; k++) stepWith(optimizer, first, gradientsAt(k, sizes), 1e-3);
    const saved: OptimizerState = cloneState(optimizer.stateDict());
    const savedWeights = read(first);
    const counts: number[] = [];
    for (let k = 5; k <= 8; k++) {
      stepWith(optimizer, first, gradientsAt(k, sizes), 1e-3);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);

    const second = variables(Object.fromEntries(savedWeights) as Record<string, Float32Array>);
    const resumed = new Adam8bit(second, settings, layout);
    resumed.loadStateDict(saved);
    for (let k = 5; k <= 8; k++) stepWith(resumed, second, gradientsAt(k, sizes), 1e-3);
    for (const name of ['a', 'b']) expect(Array.from(second.get(name)!.dataSync())).toEqual(Array.from(first.get(name)!.dataSync()));
    const x = optimizer.stateDict();
    const z = resumed.stateDict();
    expect(Object.keys(z.tensors).sort()).toEqual(Object.keys(x.tensors).sort());
    for (const key of Object.keys(x.tensors)) expect(Array.from(z.tensors[key]!.dataSync())).toEqual(Array.from(x.tensors[key]!.dataSync()));
    for (const t of Object.values(saved.tensors)) t.dispose();
    for (const o of [optimizer, resumed]) o.dispose();
    dispose(first);
    dispose(second);
  });

  it("loads float32 AdamW's state (quantised within the round-trip bound) and a state with another block size", () => {
    const init = { w: spreadValues(8192, 256, 21, 1) };
    const a = variables(init);
    const float = new AdamW(a, settings);
    for (let k = 1; k <= 3; k++) stepWith(float, a, gradientsAt(k, { w: 8192 }), 1e-3);
    const floatState = float.stateDict();
    const b = variables(init);
    const eight = new Adam8bit(b, settings, layout);
    eight.loadStateDict(floatState);
    const c = variables(init);
    const coarse = new Adam8bit(c, settings, { blockSize: 2048, minEightBitSize: 4096 });
    coarse.loadStateDict(eight.stateDict());
    const signed = new BlockwiseQuantizer(createDynamicMap(true));
    const unsigned = new BlockwiseQuantizer(createDynamicMap(false));
    for (const [optimizer, blockSize] of [[eight, 256], [coarse, 2048]] as const) {
      const state = optimizer.stateDict();
      expect(state.step).toBe(3);
      expect(state.tensors['exp_avg_absmax.w']!.shape).toEqual([8192 / blockSize]);
      tf.tidy(() => {
        for (const [moment, q, gap] of [['exp_avg', signed, 0.9 / 64], ['exp_avg_sq', unsigned, 0.9 / 128]] as const) {
          const restored = q.dequantize({ packed: state.tensors[`${moment}_codes.w`] as tf.Tensor1D, absmax: state.tensors[`${moment}_absmax.w`] as tf.Tensor1D }).dataSync();
          const original = floatState.tensors[`${moment}.w`]!.dataSync();
          const absmax = new Float32Array(8192 / blockSize);
          original.forEach((x, i) => (absmax[Math.floor(i / blockSize)] = Math.max(absmax[Math.floor(i / blockSize)]!, Math.abs(x))));
          // the 2048-block state went through the 256-block codes first: two roundings, each within half a gap of a
          // block maximum no larger than the original one
          const roundings = blockSize === 256 ? 1 : 2;
          original.forEach((x, i) => expect(Math.abs(restored[i]! - x)).toBeLessThanOrEqual(roundings * (gap / 2) * absmax[Math.floor(i / blockSize)]! * 1.0001));
        }
      });
    }
    for (const o of [float, eight, coarse, signed, unsigned]) o.dispose();
    for (const v of [a, b, c]) dispose(v);
  });

  it('refuses a state with a missing, mistyped or misshaped tensor, naming it, and leaves its own state unchanged', () => {
    const vars = variables({ w: spreadValues(4096, 256, 31, 1) });
    const optimizer = new Adam8bit(vars, settings, layout);
    stepWith(optimizer, vars, gradientsAt(1, { w: 4096 }), 1e-3);
    const good = optimizer.stateDict();
    const before = Array.from(good.tensors['exp_avg_codes.w']!.dataSync());
    const without = (key: string) => Object.fromEntries(Object.entries(good.tensors).filter(([k]) => k !== key));
    expect(() => optimizer.loadStateDict({ step: 1, tensors: without('exp_avg_sq_absmax.w') })).toThrow(/neither "exp_avg_sq_codes.w" and "exp_avg_sq_absmax.w" \(8-bit\) nor "exp_avg_sq.w"/);
    tf.tidy(() => {
      const wrongType = { ...good.tensors, 'exp_avg_codes.w': tf.zeros([1024]) };
      expect(() => optimizer.loadStateDict({ step: 1, tensors: wrongType })).toThrow(/"exp_avg_codes.w" must be int32/);
      const wrongShape = { ...good.tensors, 'exp_avg_absmax.w': tf.zeros([15]) };
      expect(() => optimizer.loadStateDict({ step: 1, tensors: wrongShape })).toThrow(/do not describe 4096 values of "w"/);
    });
    expect(() => optimizer.loadStateDict({ step: -1, tensors: good.tensors })).toThrow(/step must be a non-negative integer/);
    expect(Array.from(optimizer.stateDict().tensors['exp_avg_codes.w']!.dataSync())).toEqual(before);
    optimizer.dispose();
    dispose(vars);
  });

  it('holds about 2 bytes per parameter on the device (tf.memory), against 8 for float32 AdamW, and frees them on dispose', () => {
    const vars = variables({ w: new Float32Array(1 << 20) });
    const base = tf.memory();
    const optimizer = new Adam8bit(vars, settings, layout);
    const bytesPerParam = (tf.memory().numBytes - base.numBytes) / (1 << 20);
    // codes 2 × 1 byte, absmax 2 × 4 bytes per 256 values = 2.03125, plus the two 256-entry maps
    expect(bytesPerParam).toBeGreaterThanOrEqual(2.03125);
    expect(bytesPerParam).toBeLessThan(2.04);
    expect(optimizer.summary().stateBytes).toBe(2.03125 * (1 << 20));
    stepWith(optimizer, vars, gradientsAt(1, { w: 1 << 20 }), 1e-3);
    expect((tf.memory().numBytes - base.numBytes) / (1 << 20)).toBe(bytesPerParam);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(base.numTensors);
    expect(tf.memory().numBytes).toBe(base.numBytes);
    dispose(vars);
  });

  it('leaves variables without a gradient alone and refuses a gradient for an unknown variable', () => {
    const vars = variables({ a: spreadValues(4096, 256, 41, 1), b: spreadValues(4096, 256, 42, 1) });
    const optimizer = new Adam8bit(vars, settings, layout);
    const before = vars.get('b')!.dataSync().slice();
    stepWith(optimizer, vars, new Map([['a', spreadValues(4096, 256, 43, 1)]]), 1e-2);
    expect(Array.from(vars.get('b')!.dataSync())).toEqual(Array.from(before));
    expect(() => tf.tidy(() => optimizer.step(new Map([['c', tf.zeros([3])]]), 1e-3))).toThrow(/gradient for "c", which is not a trained variable/);
    optimizer.dispose();
    dispose(vars);
  });

  it('gives the same result with the binary-search fallback as with SearchSorted', () => {
    const init = { w: spreadValues(5000, 256, 51, 1) };
    const results = (['searchSorted', 'binarySearch'] as const).map((bucketize) => {
      const vars = variables(init);
      const optimizer = new Adam8bit(vars, settings, { ...layout, bucketize, execution: 'ops' });
      for (let k = 1; k <= 5; k++) stepWith(optimizer, vars, gradientsAt(k, { w: 5000 }), 1e-3);
      const out = Array.from(vars.get('w')!.dataSync());
      optimizer.dispose();
      dispose(vars);
      return out;
    });
    expect(results[1]).toEqual(results[0]);
  });

  it('gives the same weights and state on cpu and wasm, through tfjs ops and through the host pass (the default on both)', async () => {
    const init = { w: spreadValues(5000, 256, 61, 1) };
    const run = async (backend: 'cpu' | 'wasm', execution?: 'ops' | 'host') => {
      await initBackend({ backend, threads: 1 });
      const vars = variables(init);
      const optimizer = new Adam8bit(vars, settings, { ...layout, execution });
      for (let k = 1; k <= 5; k++) stepWith(optimizer, vars, gradientsAt(k, { w: 5000 }), 1e-3);
      const state = optimizer.stateDict();
      const out = { execution: optimizer.execution, w: Array.from(vars.get('w')!.dataSync()), codes: Array.from(state.tensors['exp_avg_sq_codes.w']!.dataSync()) };
      optimizer.dispose();
      dispose(vars);
      return out;
    };
    const cpuOps = await run('cpu', 'ops');
    for (const [backend, execution] of [['cpu', undefined], ['wasm', 'ops'], ['wasm', undefined]] as const) {
      const other = await run(backend, execution);
      expect(other.execution).toBe(execution ?? 'host');
      expect(other.w).toEqual(cpuOps.w);
      expect(other.codes).toEqual(cpuOps.codes);
    }
  });
});

function cloneState(state: OptimizerState): OptimizerState {
  return { step: state.step, tensors: Object.fromEntries(Object.entries(state.tensors).map(([k, t]) => [k, tf.keep(t.clone())])) };
}
