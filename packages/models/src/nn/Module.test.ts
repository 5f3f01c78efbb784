import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { isSdxlError } from '@sdxl-trainer/errors';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from './Conv2d.js';
import { Init } from './Init.js';
import { LayerNorm } from './LayerNorm.js';
import { Linear } from './Linear.js';
import { Module } from './Module.js';
import { ModuleList } from './ModuleList.js';
import type { StateTensor } from './StateDict.js';
import { setTestBackend } from '@sdxl-trainer/tensor';

beforeAll(async () => {
  await setTestBackend();
});

class Block extends Module {
  readonly norm = this.registerModule('norm', new LayerNorm(4));
  readonly proj = this.registerModule('proj', new Linear(4, 3, { weightInit: Init.normal(0.5), biasInit: Init.constant(0.25) }));
}

class Toy extends Module {
  readonly conv = this.registerModule('conv', new Conv2d(2, 4, 3, { padding: 1 }));
  readonly blocks = this.registerModule('blocks', new ModuleList([new Block(), new Block()]));
  override knownBuffers(): readonly string[] {
    return ['blocks.0.position_ids'];
  }
}

const NAMES = [
  'conv.weight',
  'conv.bias',
  'blocks.0.norm.weight',
  'blocks.0.norm.bias',
  'blocks.0.proj.weight',
  'blocks.0.proj.bias',
  'blocks.1.norm.weight',
  'blocks.1.norm.bias',
  'blocks.1.proj.weight',
  'blocks.1.proj.bias',
];

function expectCode(fn: () => unknown, code: string, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(isSdxlError(caught), String(caught)).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
  for (const fragment of fragments) expect((caught as Error).message).toContain(fragment);
}

async function fullState(toy: Toy): Promise<Map<string, StateTensor>> {
  return toy.stateDict();
}

describe('Module', () => {
  it('names parameters as PyTorch does (own first, children in registration order) and counts them without weights', () => {
    const toy = new Toy();
    expect(toy.namedParameters().map(([name]) => name)).toEqual(NAMES);
    expect(toy.parameterShapes().get('conv.weight')).toEqual([4, 2, 3, 3]);
    expect(toy.parameterShapes().get('blocks.1.proj.weight')).toEqual([3, 4]);
    // 4·2·3·3 + 4 + 2·(4 + 4 + 3·4 + 3)
    expect(toy.parameterCount()).toBe(72 + 4 + 2 * 23);
    expect(toy.isMaterialized).toBe(false);
    expect(toy.namedModules().map(([name]) => name)).toEqual(['', 'conv', 'blocks', 'blocks.0', 'blocks.0.norm', 'blocks.0.proj', 'blocks.1', 'blocks.1.norm', 'blocks.1.proj']);
  });

  it('allocates nothing until initialised, and a shape-only parameter says so when used', () => {
    const before = tf.memory().numTensors;
    const toy = new Toy();
    expect(tf.memory().numTensors).toBe(before);
    expectCode(() => toy.blocks.at(0).proj.weight.value, 'MODEL_NOT_MATERIALIZED', 'initialise');
  });

  it('initialises from the Init specs deterministically per seed', async () => {
    const a = new Toy().initialize(5);
    const b = new Toy().initialize(5);
    const c = new Toy().initialize(6);
    const [sa, sb, sc] = await Promise.all([fullState(a), fullState(b), fullState(c)]);
    expect(sa).toEqual(sb);
    expect(sa.get('conv.weight')!.data).not.toEqual(sc.get('conv.weight')!.data);
    expect(Array.from(sa.get('blocks.0.norm.weight')!.data)).toEqual([1, 1, 1, 1]);
    expect(Array.from(sa.get('blocks.0.norm.bias')!.data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(sa.get('blocks.1.proj.bias')!.data)).toEqual([0.25, 0.25, 0.25]);
    // PyTorch's default conv init is U(±1/√fan_in), fan_in = 2·3·3
    expect(Math.max(...sa.get('conv.weight')!.data.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(18));
    [a, b, c].forEach((toy) => toy.dispose());
  });

  it('stateDict is PyTorch layout by PyTorch name, and a loaded state dict reads back unchanged', async () => {
    const toy = new Toy();
    const state = new Map<string, StateTensor>();
    let next = 0;
    for (const [name, parameter] of toy.namedParameters()) {
      state.set(name, { shape: [...parameter.shape], data: Float32Array.from({ length: parameter.size }, () => (next++ % 17) / 7 - 1) });
    }
    toy.loadStateDict(state);
    const read = await toy.stateDict();
    expect([...read.keys()]).toEqual(NAMES);
    for (const name of NAMES) expect(read.get(name), name).toEqual(state.get(name));
    // the proj weight lives as [in, out] in tfjs
    expect(toy.blocks.at(0).proj.weight.value.shape).toEqual([4, 3]);
    // changing a returned array does not change the model
    read.get('blocks.0.norm.weight')!.data.fill(42);
    expect((await toy.stateDict()).get('blocks.0.norm.weight')).toEqual(state.get('blocks.0.norm.weight'));
    toy.dispose();
  });

  it('loadStateDict is strict: one error names every missing, unexpected and wrong-shape key, and nothing is loaded', async () => {
    const source = new Toy().initialize(1);
    const state = await source.stateDict();
    state.delete('blocks.1.proj.bias');
    state.set('blocks.2.proj.weight', { shape: [3, 4], data: new Float32Array(12) });
    state.set('conv.bias', { shape: [5], data: new Float32Array(5) });
    const target = new Toy();
    expectCode(
      () => target.loadStateDict(state, { source: 'toy.safetensors' }),
      'MODEL_WEIGHTS_MISMATCH',
      'toy.safetensors',
      '1 missing (blocks.1.proj.bias)',
      '1 unexpected (blocks.2.proj.weight)',
      'conv.bias: expected [4], found [5]',
    );
    expect(target.isMaterialized).toBe(false);
    source.dispose();
  });

  it('accepts the known buffers, refuses data that is not a Float32Array', async () => {
    const source = new Toy().initialize(1);
    const state = await source.stateDict();
    state.set('blocks.0.position_ids', { shape: [1, 77], data: new Float32Array(77) });
    const target = new Toy().loadStateDict(state);
    expect(target.isMaterialized).toBe(true);
    state.set('conv.bias', { shape: [4], data: new Float64Array(4) as unknown as Float32Array });
    expectCode(() => new Toy().loadStateDict(state), 'MODEL_WEIGHTS_MISMATCH', 'conv.bias', 'Float32Array');
    source.dispose();
    target.dispose();
  });

  it('sets trainability on every tf.Variable, counts trainable parameters, and dispose frees every variable', () => {
    const before = tf.memory().numTensors;
    const toy = new Toy().setTrainable(false).initialize(3);
    expect(tf.memory().numTensors).toBe(before + NAMES.length);
    expect(toy.namedParameters().every(([, p]) => !p.value.trainable)).toBe(true);
    expect(toy.parameterCount(true)).toBe(0);
    toy.blocks.at(1).setTrainable(true);
    expect(toy.blocks.at(1).proj.weight.value.trainable).toBe(true);
    expect(toy.parameterCount(true)).toBe(23);
    toy.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(toy.isMaterialized).toBe(false);
  });

  it('refuses names with dots and names registered twice', () => {
    class Bad extends Module {
      constructor(name: string, twice: boolean) {
        super();
        this.registerModule(name, new LayerNorm(2));
        if (twice) this.registerModule(name, new LayerNorm(2));
      }
    }
    expect(() => new Bad('a.b', false)).toThrow(/one path segment/);
    expect(() => new Bad('a', true)).toThrow(/twice/);
  });
});
