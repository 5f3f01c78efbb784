import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Module } from '../nn/Module.js';
import type { StateDict } from '../nn/StateDict.js';
import { maxAbsDiff } from '../testing/fixture.js';
import * as naive from '../testing/naive.js';
import { Attention } from './Attention.js';
import { PLAIN_RUNTIME, type BlockRuntime } from './BlockRuntime.js';
import { diffusersActivation } from './diffusersActivation.js';
import { ResnetBlock2D, type TimeEmbeddingNorm } from './ResnetBlock2D.js';
import { Transformer2DModel } from './Transformer2DModel.js';
import { Rng, setTestBackend } from '@sdxl-trainer/tensor';

// Reference: testing/naive.ts, an independent float64 NCHW implementation written from diffusers' resnet.py,
// transformer_2d.py, attention.py and attention_processor.py, fed the PyTorch-layout state dict. Tolerance 5e-5
// absolute (float32 rounding on outputs of size ~1–10).
const TOLERANCE = 5e-5;
const CHUNKED: BlockRuntime = { attentionChunkSize: 3, wrapper: null };

beforeAll(async () => {
  await setTestBackend();
});

/** Every parameter N(0, 0.3²) (norm scales and biases included, so a dropped or swapped one cannot pass). */
function randomize(module: Module, seed: number): StateDict {
  const random = Rng.fromSeed(seed);
  const state: StateDict = new Map(module.namedParameters().map(([name, p]) => [name, { shape: [...p.shape], data: Float32Array.from({ length: p.size }, () => 0.3 * random.normal()) }]));
  module.loadStateDict(state);
  return state;
}

function randomInput(shape: number[], seed: number): { nchw: naive.T64; tensor: tf.Tensor } {
  const random = Rng.fromSeed(seed);
  const nchw = naive.t64(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.normal()));
  const nhwc = nchw.shape.length === 4 ? naive.nchwToNhwc(nchw) : nchw.data;
  const tfShape = nchw.shape.length === 4 ? [shape[0]!, shape[2]!, shape[3]!, shape[1]!] : shape;
  return { nchw, tensor: tf.tensor(Float32Array.from(nhwc), tfShape) };
}

const W = (state: StateDict, name: string): naive.T64 => naive.t64([...state.get(name)!.shape], state.get(name)!.data);
const V = (state: StateDict, name: string): Float32Array => state.get(name)!.data;

function naiveResnet(state: StateDict, x: naive.T64, temb: naive.T64 | null, o: { groups: number; eps: number; act: string; norm: TimeEmbeddingNorm; scale: number }): naive.T64 {
  const act = naive.ACT[o.act]!;
  let h = naive.conv2d(naive.map(naive.groupNorm(x, o.groups, V(state, 'norm1.weight'), V(state, 'norm1.bias'), o.eps), act), W(state, 'conv1.weight'), V(state, 'conv1.bias'), 1, 1);
  const [, c, hh, ww] = h.shape as [number, number, number, number];
  const perChannel = (values: naive.T64, offset: number) => (i: number) => values.data[Math.floor(i / (c * hh * ww)) * values.shape[1]! + offset + (Math.floor(i / (hh * ww)) % c)]!;
  if (temb !== null) {
    const t = naive.linear(naive.map(temb, act), W(state, 'time_emb_proj.weight'), V(state, 'time_emb_proj.bias'));
    if (o.norm === 'default') {
      const shift = perChannel(t, 0);
      h = naive.groupNorm(naive.t64(h.shape, h.data.map((v, i) => v + shift(i))), o.groups, V(state, 'norm2.weight'), V(state, 'norm2.bias'), o.eps);
    } else {
      const [scale, shift] = [perChannel(t, 0), perChannel(t, c)];
      const normed = naive.groupNorm(h, o.groups, V(state, 'norm2.weight'), V(state, 'norm2.bias'), o.eps);
      h = naive.t64(h.shape, normed.data.map((v, i) => v * (1 + scale(i)) + shift(i)));
    }
  } else {
    h = naive.groupNorm(h, o.groups, V(state, 'norm2.weight'), V(state, 'norm2.bias'), o.eps);
  }
  h = naive.conv2d(naive.map(h, act), W(state, 'conv2.weight'), V(state, 'conv2.bias'), 1, 1);
  const shortcut = state.has('conv_shortcut.weight') ? naive.conv2d(x, W(state, 'conv_shortcut.weight'), V(state, 'conv_shortcut.bias')) : x;
  return naive.t64(h.shape, h.data.map((v, i) => (v + shortcut.data[i]!) / o.scale));
}

function naiveAttention(state: StateDict, prefix: string, x: naive.T64, context: naive.T64, heads: number, bias: boolean): naive.T64 {
  const b = (name: string) => (bias ? V(state, `${prefix}${name}.bias`) : null);
  const q = naive.linear(x, W(state, `${prefix}to_q.weight`), b('to_q'));
  const k = naive.linear(context, W(state, `${prefix}to_k.weight`), b('to_k'));
  const v = naive.linear(context, W(state, `${prefix}to_v.weight`), b('to_v'));
  return naive.linear(naive.multiHead(q, k, v, heads), W(state, `${prefix}to_out.0.weight`), V(state, `${prefix}to_out.0.bias`));
}

function naiveTransformer(state: StateDict, x: naive.T64, context: naive.T64, o: { heads: number; layers: number; groups: number; linear: boolean }): naive.T64 {
  const [, , h, w] = x.shape as [number, number, number, number];
  const normed = naive.groupNorm(x, o.groups, V(state, 'norm.weight'), V(state, 'norm.bias'), 1e-6);
  let tokens = o.linear
    ? naive.linear(naive.toTokens(normed), W(state, 'proj_in.weight'), V(state, 'proj_in.bias'))
    : naive.toTokens(naive.conv2d(normed, W(state, 'proj_in.weight'), V(state, 'proj_in.bias')));
  for (let l = 0; l < o.layers; l++) {
    const p = `transformer_blocks.${l}`;
    const ln = (i: number, t: naive.T64) => naive.layerNorm(t, V(state, `${p}.norm${i}.weight`), V(state, `${p}.norm${i}.bias`), 1e-5);
    let n = ln(1, tokens);
    tokens = naive.add(naiveAttention(state, `${p}.attn1.`, n, n, o.heads, false), tokens);
    n = ln(2, tokens);
    tokens = naive.add(naiveAttention(state, `${p}.attn2.`, n, context, o.heads, false), tokens);
    n = ln(3, tokens);
    const projected = naive.linear(n, W(state, `${p}.ff.net.0.proj.weight`), V(state, `${p}.ff.net.0.proj.bias`));
    const inner = projected.shape.at(-1)! / 2;
    const gated = naive.t64([...projected.shape.slice(0, -1), inner]);
    for (let r = 0; r < gated.data.length / inner; r++) {
      for (let i = 0; i < inner; i++) gated.data[r * inner + i] = projected.data[r * 2 * inner + i]! * naive.ACT.gelu!(projected.data[r * 2 * inner + inner + i]!);
    }
    tokens = naive.add(naive.linear(gated, W(state, `${p}.ff.net.2.weight`), V(state, `${p}.ff.net.2.bias`)), tokens);
  }
  const out = o.linear
    ? naive.fromTokens(naive.linear(tokens, W(state, 'proj_out.weight'), V(state, 'proj_out.bias')), h, w)
    : naive.conv2d(naive.fromTokens(tokens, h, w), W(state, 'proj_out.weight'), V(state, 'proj_out.bias'));
  return naive.add(out, x);
}

describe('ResnetBlock2D against a float64 implementation of diffusers resnet.py', () => {
  const cases = [
    { name: 'channels change (1×1 shortcut), "default" time embedding, silu', inC: 6, outC: 8, temb: 5, groups: 2, eps: 1e-6, act: 'silu', norm: 'default', scale: 1 },
    { name: '"scale_shift" time embedding, gelu, output_scale_factor 2', inC: 8, outC: 8, temb: 7, groups: 4, eps: 1e-5, act: 'gelu', norm: 'scale_shift', scale: 2 },
    { name: 'no time embedding (the VAE), mish', inC: 4, outC: 4, temb: null, groups: 1, eps: 1e-6, act: 'mish', norm: 'default', scale: 1 },
  ] as const;
  for (const c of cases) {
    it(c.name, () => {
      const block = new ResnetBlock2D({
        inChannels: c.inC,
        outChannels: c.outC,
        tembChannels: c.temb,
        groups: c.groups,
        eps: c.eps,
        activation: diffusersActivation(c.act),
        timeEmbeddingNorm: c.norm,
        outputScaleFactor: c.scale,
      });
      const state = randomize(block, 1);
      const x = randomInput([2, c.inC, 5, 3], 2);
      const temb = c.temb === null ? null : randomInput([2, c.temb], 3);
      const out = block.forward(x.tensor as tf.Tensor4D, (temb?.tensor ?? null) as tf.Tensor2D | null, PLAIN_RUNTIME);
      const expected = naiveResnet(state, x.nchw, temb?.nchw ?? null, c);
      expect(out.shape).toEqual([2, 5, 3, c.outC]);
      const error = maxAbsDiff(out.dataSync(), naive.nchwToNhwc(expected));
      console.log(`ResnetBlock2D ${c.name}: max abs error ${error}`);
      expect(error).toBeLessThanOrEqual(TOLERANCE);
    });
  }
});

describe('Transformer2DModel against a float64 implementation of diffusers transformer_2d.py / attention.py', () => {
  for (const linear of [true, false]) {
    it(`${linear ? 'linear' : '1×1 conv'} projections, 2 heads, 2 blocks, cross-attention to 6-wide context; plain and chunked`, () => {
      const model = new Transformer2DModel({ heads: 2, dimHead: 4, inChannels: 8, layers: 2, crossAttentionDim: 6, normGroups: 2, useLinearProjection: linear });
      const state = randomize(model, linear ? 4 : 5);
      const x = randomInput([2, 8, 3, 4], 6);
      const context = randomInput([2, 5, 6], 7);
      const expected = naive.nchwToNhwc(naiveTransformer(state, x.nchw, context.nchw, { heads: 2, layers: 2, groups: 2, linear }));
      for (const runtime of [PLAIN_RUNTIME, CHUNKED]) {
        const out = model.forward(x.tensor as tf.Tensor4D, context.tensor as tf.Tensor3D, runtime);
        expect(maxAbsDiff(out.dataSync(), expected), `chunk ${runtime.attentionChunkSize}`).toBeLessThanOrEqual(TOLERANCE);
      }
    });
  }
});

describe("the VAE mid block's Attention (group norm, q/k/v biases, residual) against float64", () => {
  it('one head over all channels, plain and chunked', () => {
    const attention = new Attention({ queryDim: 8, crossAttentionDim: null, heads: 1, dimHead: 8, bias: true, groupNorm: { groups: 4, eps: 1e-6 }, residualConnection: true });
    const state = randomize(attention, 8);
    const x = randomInput([2, 8, 3, 5], 9);
    const normed = naive.toTokens(naive.groupNorm(x.nchw, 4, V(state, 'group_norm.weight'), V(state, 'group_norm.bias'), 1e-6));
    const attended = naiveAttention(state, '', normed, normed, 1, true);
    const expected = naive.nchwToNhwc(naive.add(naive.fromTokens(attended, 3, 5), x.nchw));
    for (const chunk of [undefined, 4]) {
      expect(maxAbsDiff(attention.forwardSpatial(x.tensor as tf.Tensor4D, chunk).dataSync(), expected), `chunk ${chunk}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});
