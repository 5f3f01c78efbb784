import { setTestBackend } from '@sdxl-trainer/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { joinPluginState, splitPluginState } from './pluginStateCodec.js';

beforeAll(async () => {
  await setTestBackend();
});

describe('splitPluginState / joinPluginState', () => {
  it('replaces tensor leaves at any depth by references and puts them back', () => {
    const a = tf.tensor1d([1, 2]);
    const b = tf.tensor2d([[3]], [1, 1], 'int32');
    const state = { ema: { step: 3, shadow: { 'in.weight': a }, list: [b, 'x', null, true] }, other: { n: 1.5 } };
    const { json, tensors } = splitPluginState(state);
    expect(json).toEqual({
      ema: { step: 3, shadow: { 'in.weight': { $tensor: 'ema/shadow/in.weight' } }, list: [{ $tensor: 'ema/list/0' }, 'x', null, true] },
      other: { n: 1.5 },
    });
    expect([...tensors.keys()]).toEqual(['ema/shadow/in.weight', 'ema/list/0']);
    expect(tensors.get('ema/list/0')).toBe(b);
    const back = joinPluginState(JSON.parse(JSON.stringify(json)), tensors, 'plugins.safetensors');
    expect(back).toEqual(state);
    a.dispose();
    b.dispose();
  });

  it('refuses what JSON would silently change, naming the plugin and path', () => {
    expect(() => splitPluginState({ p: { lr: Number.NaN } })).toThrow(/plugin "p" state at lr is NaN/);
    expect(() => splitPluginState({ p: { seen: new Map() } })).toThrow(/plugin "p" state at seen is a Map/);
    expect(() => splitPluginState({ p: { deep: [{ $tensor: 'x' }] } })).toThrow(/deep.0 uses the reserved key "\$tensor"/);
  });

  it('names the file when a referenced tensor is missing', () => {
    expect(() => joinPluginState({ p: { w: { $tensor: 'p/w' } } }, new Map(), '/c/plugins.safetensors')).toThrow(/\/c\/plugins.safetensors has no tensor "p\/w"/);
  });
});
