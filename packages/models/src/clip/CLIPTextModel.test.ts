import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { isSdxlError } from '@sdxl-trainer/errors';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StateDict } from '../nn/StateDict.js';
import { CLIPTextModel } from './CLIPTextModel.js';
import { CLIPTextModelWithProjection } from './CLIPTextModelWithProjection.js';
import { eosPositions } from './eosPositions.js';
import { Rng, setTestBackend } from '@sdxl-trainer/tensor';

beforeAll(async () => {
  await setTestBackend();
});

interface TinyConfig {
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_attention_heads: number;
  num_hidden_layers: number;
  max_position_embeddings: number;
  hidden_act: 'gelu' | 'quick_gelu' | 'gelu_new';
  eos_token_id: number;
  projection_dim: number;
  layer_norm_eps: number;
}

const CONFIGS: Record<string, TinyConfig> = {
  'quick_gelu, 3 heads of 8, 2 layers, legacy eos 2': {
    vocab_size: 100, hidden_size: 24, intermediate_size: 40, num_attention_heads: 3, num_hidden_layers: 2, max_position_embeddings: 12, hidden_act: 'quick_gelu', eos_token_id: 2, projection_dim: 10, layer_norm_eps: 1e-5,
  },
  'gelu, 2 heads of 8, 3 layers, eos 59': {
    vocab_size: 60, hidden_size: 16, intermediate_size: 20, num_attention_heads: 2, num_hidden_layers: 3, max_position_embeddings: 9, hidden_act: 'gelu', eos_token_id: 59, projection_dim: 8, layer_norm_eps: 1e-6,
  },
  'gelu_new, 1 head of 8, 1 layer': {
    vocab_size: 30, hidden_size: 8, intermediate_size: 12, num_attention_heads: 1, num_hidden_layers: 1, max_position_embeddings: 6, hidden_act: 'gelu_new', eos_token_id: 29, projection_dim: 8, layer_norm_eps: 1e-5,
  },
};

/** Every parameter N(0, 0.5²) (biases and norms included, so a dropped bias or norm scale cannot pass). */
function randomState(model: CLIPTextModel | CLIPTextModelWithProjection, seed: number): StateDict {
  const random = Rng.fromSeed(seed);
  return new Map(model.namedParameters().map(([name, p]) => [name, { shape: [...p.shape], data: Float32Array.from({ length: p.size }, () => 0.5 * random.normal()) }]));
}

function randomIds(config: TinyConfig, batch: number, length: number, seed: number): number[][] {
  const random = Rng.fromSeed(seed);
  return Array.from({ length: batch }, () => Array.from({ length }, () => Math.floor(random.random() * config.vocab_size)));
}

// ---------- an independent float64 CLIP text model, written from transformers' modeling_clip.py ----------

type Matrix = number[][];
const erf = (x: number): number => {
  if (Math.abs(x) > 5) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 300; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
};
const ACT: Record<TinyConfig['hidden_act'], (x: number) => number> = {
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  quick_gelu: (x) => x / (1 + Math.exp(-1.702 * x)),
  gelu_new: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
};

function naiveClip(state: StateDict, c: TinyConfig, ids: number[][], withProjection: boolean) {
  const get = (name: string) => state.get(name)!.data;
  /** nn.Linear: y[o] = b[o] + Σ_i W[o, i]·x[i], W in PyTorch [out, in]. */
  const linear = (x: Matrix, name: string, outF: number, bias = true): Matrix => {
    const w = get(`${name}.weight`);
    const b = bias ? get(`${name}.bias`) : null;
    return x.map((row) => Array.from({ length: outF }, (_, o) => row.reduce((sum, v, i) => sum + v * w[o * row.length + i]!, b === null ? 0 : b[o]!)));
  };
  const layerNorm = (x: Matrix, name: string): Matrix => {
    const w = get(`${name}.weight`);
    const b = get(`${name}.bias`);
    return x.map((row) => {
      const mean = row.reduce((a, v) => a + v, 0) / row.length;
      const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / row.length;
      return row.map((v, i) => ((v - mean) / Math.sqrt(variance + c.layer_norm_eps)) * w[i]! + b[i]!);
    });
  };
  const h = c.hidden_size;
  const headDim = h / c.num_attention_heads;
  const results = ids.map((row) => {
    const token = get('text_model.embeddings.token_embedding.weight');
    const position = get('text_model.embeddings.position_embedding.weight');
    let x: Matrix = row.map((id, t) => Array.from({ length: h }, (_, i) => token[id * h + i]! + position[t * h + i]!));
    const hidden: Matrix[] = [x];
    for (let l = 0; l < c.num_hidden_layers; l++) {
      const p = `text_model.encoder.layers.${l}`;
      const normed = layerNorm(x, `${p}.layer_norm1`);
      const q = linear(normed, `${p}.self_attn.q_proj`, h).map((r) => r.map((v) => v * headDim ** -0.5));
      const k = linear(normed, `${p}.self_attn.k_proj`, h);
      const v = linear(normed, `${p}.self_attn.v_proj`, h);
      const attended: Matrix = row.map(() => new Array<number>(h).fill(0));
      for (let head = 0; head < c.num_attention_heads; head++) {
        const cols = Array.from({ length: headDim }, (_, d) => head * headDim + d);
        for (let i = 0; i < row.length; i++) {
          // causal: query i attends to keys 0..i
          const scores = Array.from({ length: i + 1 }, (_, j) => cols.reduce((s, col) => s + q[i]![col]! * k[j]![col]!, 0));
          const max = Math.max(...scores);
          const weights = scores.map((s) => Math.exp(s - max));
          const total = weights.reduce((a, b) => a + b, 0);
          for (const col of cols) attended[i]![col] = weights.reduce((s, w, j) => s + (w / total) * v[j]![col]!, 0);
        }
      }
      const out = linear(attended, `${p}.self_attn.out_proj`, h);
      x = x.map((r, t) => r.map((val, i) => val + out[t]![i]!));
      const mlp = linear(linear(layerNorm(x, `${p}.layer_norm2`), `${p}.mlp.fc1`, c.intermediate_size).map((r) => r.map(ACT[c.hidden_act])), `${p}.mlp.fc2`, h);
      x = x.map((r, t) => r.map((val, i) => val + mlp[t]![i]!));
      hidden.push(x);
    }
    const last = layerNorm(x, 'text_model.final_layer_norm');
    // transformers: legacy eos_token_id 2 -> argmax of ids (first max); else first index of eos_token_id (0 if none)
    const eos = c.eos_token_id === 2 ? row.indexOf(Math.max(...row)) : Math.max(0, row.indexOf(c.eos_token_id));
    const pooled = last[eos]!;
    const embeds = withProjection ? linear([pooled], 'text_projection', c.projection_dim, false)[0]! : null;
    return { hidden, last, pooled, embeds };
  });
  return results;
}

function maxDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}

// Float32 against float64 through at most 3 layers of O(1) values: 2e-5 absolute.
const NAIVE_TOLERANCE = 2e-5;

describe('CLIP text models on configs other than the fixture', () => {
  for (const [label, config] of Object.entries(CONFIGS)) {
    it(`${label}: matches an independent float64 implementation (hidden states, last, pooled, text_embeds) within ${NAIVE_TOLERANCE}`, () => {
      const model = CLIPTextModelWithProjection.meta(config);
      model.loadStateDict(randomState(model, 11));
      const [batch, length] = [3, config.max_position_embeddings - 1];
      const ids = randomIds(config, batch, length, 5);
      ids[1]![2] = config.eos_token_id; // a row whose eos appears early
      const out = model.forward(tf.tensor2d(ids, [batch, length], 'int32'), { outputHiddenStates: true });
      const reference = naiveClip(randomState(model, 11), config, ids, true);
      expect(out.lastHiddenState.shape).toEqual([batch, length, config.hidden_size]);
      expect(out.poolerOutput.shape).toEqual([batch, config.hidden_size]);
      expect(out.textEmbeds.shape).toEqual([batch, config.projection_dim]);
      expect(out.hiddenStates).toHaveLength(config.num_hidden_layers + 1);
      out.hiddenStates!.forEach((state, l) => expect(maxDiff(state.dataSync(), reference.flatMap((r) => r.hidden[l]!.flat())), `hidden ${l}`).toBeLessThan(NAIVE_TOLERANCE));
      expect(maxDiff(out.lastHiddenState.dataSync(), reference.flatMap((r) => r.last.flat()))).toBeLessThan(NAIVE_TOLERANCE);
      expect(maxDiff(out.poolerOutput.dataSync(), reference.flatMap((r) => r.pooled))).toBeLessThan(NAIVE_TOLERANCE);
      expect(maxDiff(out.textEmbeds.dataSync(), reference.flatMap((r) => r.embeds!))).toBeLessThan(NAIVE_TOLERANCE);
      model.dispose();
    });
  }

  it('is causal: changing a later token leaves every hidden state at earlier positions unchanged (and changes later ones)', () => {
    const config = CONFIGS['gelu, 2 heads of 8, 3 layers, eos 59']!;
    const model = CLIPTextModel.fromConfig({ ...config, initializer_factor: 4 }, 3);
    const length = config.max_position_embeddings;
    const ids = randomIds(config, 1, length, 9)[0]!;
    const changed = [...ids];
    const at = 5;
    changed[at] = (changed[at]! + 7) % config.vocab_size;
    const [a, b] = [ids, changed].map((row) => model.forward(tf.tensor2d([row], [1, length], 'int32'), { outputHiddenStates: true }));
    for (let l = 0; l <= config.num_hidden_layers; l++) {
      const [ha, hb] = [a!.hiddenStates![l]!.dataSync(), b!.hiddenStates![l]!.dataSync()];
      const h = config.hidden_size;
      expect(maxDiff(ha.subarray(0, at * h), hb.subarray(0, at * h)), `layer ${l}, positions < ${at}`).toBeLessThanOrEqual(1e-7);
      expect(maxDiff(ha.subarray(at * h), hb.subarray(at * h)), `layer ${l}, positions ≥ ${at}`).toBeGreaterThan(1e-4);
    }
    model.dispose();
  });

  it('chunked attention gives the same outputs as plain attention', () => {
    const config = CONFIGS['quick_gelu, 3 heads of 8, 2 layers, legacy eos 2']!;
    const model = CLIPTextModelWithProjection.meta(config);
    model.loadStateDict(randomState(model, 4));
    const ids = tf.tensor2d(randomIds(config, 2, 11, 8), [2, 11], 'int32');
    const plain = model.forward(ids, { outputHiddenStates: true });
    for (const chunk of [1, 3, 4]) {
      const chunked = model.forward(ids, { outputHiddenStates: true, attentionChunkSize: chunk });
      expect(maxDiff(chunked.lastHiddenState.dataSync(), plain.lastHiddenState.dataSync()), `chunk ${chunk}`).toBeLessThanOrEqual(1e-6);
      expect(maxDiff(chunked.textEmbeds.dataSync(), plain.textEmbeds.dataSync()), `chunk ${chunk}`).toBeLessThanOrEqual(1e-6);
    }
    model.attentionChunkSize = 2;
    expect(maxDiff(model.forward(ids).lastHiddenState.dataSync(), plain.lastHiddenState.dataSync())).toBeLessThanOrEqual(1e-6);
    model.dispose();
  });

  it('pools at the end-of-text position by both transformers rules', () => {
    // rows: [5, 40, 9, 40, 3, 9]
    //  legacy eos_token_id 2 -> argmax of the ids, first maximum: position 1
    //  eos_token_id 9        -> first 9: position 2
    //  eos_token_id 7        -> no 7 in the row: position 0 (argmax of all-false)
    //  (second row, reversed [9, 3, 40, 9, 40, 5]: first maximum at position 2)
    const row = [5, 40, 9, 40, 3, 9];
    expect(Array.from(eosPositions(Int32Array.from([...row, ...row.slice().reverse()]), 2, 6, 2))).toEqual([1, 2]);
    expect(Array.from(eosPositions(Int32Array.from(row), 1, 6, 9))).toEqual([2]);
    expect(Array.from(eosPositions(Int32Array.from(row), 1, 6, 7))).toEqual([0]);
    for (const [eos, position] of [
      [2, 1],
      [9, 2],
      [7, 0],
    ] as const) {
      const model = CLIPTextModel.fromConfig({ vocab_size: 50, hidden_size: 8, intermediate_size: 8, num_attention_heads: 2, num_hidden_layers: 1, eos_token_id: eos }, 1);
      const out = model.forward(tf.tensor2d([row], [1, 6], 'int32'));
      const last = out.lastHiddenState.dataSync();
      expect(Array.from(out.poolerOutput.dataSync()), `eos ${eos}`).toEqual(Array.from(last.subarray(position * 8, position * 8 + 8)));
      model.dispose();
    }
  });

  it("initialises as transformers' CLIP _init_weights: per-kind normal stds × initializer_factor, LayerNorm 1/0, Linear biases 0", async () => {
    const [h, layers, inter, factor] = [64, 4, 96, 0.5];
    const model = CLIPTextModelWithProjection.fromConfig(
      { vocab_size: 600, hidden_size: h, intermediate_size: inter, num_attention_heads: 4, num_hidden_layers: layers, projection_dim: 32, initializer_factor: factor },
      21,
    );
    const state = await model.stateDict();
    const std = (pattern: RegExp) => {
      const values = [...state].filter(([name]) => pattern.test(name)).flatMap(([, t]) => Array.from(t.data));
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    };
    const expected: [RegExp, number][] = [
      [/token_embedding\.weight$/, 0.02 * factor],
      [/position_embedding\.weight$/, 0.02 * factor],
      [/self_attn\.[qkv]_proj\.weight$/, h ** -0.5 * (2 * layers) ** -0.5 * factor],
      [/self_attn\.out_proj\.weight$/, h ** -0.5 * factor],
      [/mlp\.fc1\.weight$/, (2 * h) ** -0.5 * factor],
      [/mlp\.fc2\.weight$/, h ** -0.5 * (2 * layers) ** -0.5 * factor],
      [/^text_projection\.weight$/, h ** -0.5 * factor],
    ];
    // every group has ≥ 2048 samples, so the sample std is within 5% of the true std with > 3-sigma margin
    for (const [pattern, value] of expected) expect(Math.abs(std(pattern) / value - 1), String(pattern)).toBeLessThan(0.05);
    for (const [name, { data }] of state) {
      if (/(layer_norm\d|final_layer_norm)\.weight$/.test(name)) expect(data.every((v) => v === 1), name).toBe(true);
      if (/\.bias$/.test(name)) expect(data.every((v) => v === 0), name).toBe(true);
    }
    expect(model.namedParameters().every(([, p]) => p.trainable === false)).toBe(true);
    expect(CLIPTextModel.fromConfig({ hidden_size: 8, num_attention_heads: 2, num_hidden_layers: 1, vocab_size: 10 }, 1, { trainable: true }).text_model.final_layer_norm.weight!.value.trainable).toBe(true);
    model.dispose();
  });

  it('refuses bad input ids and a model without weights, and keeps tf memory flat across calls', () => {
    const model = CLIPTextModel.fromConfig({ vocab_size: 20, hidden_size: 8, intermediate_size: 8, num_attention_heads: 2, num_hidden_layers: 2, max_position_embeddings: 5 }, 2);
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(isSdxlError(error)).toBe(true);
        return (error as { code: string }).code;
      }
      return 'no error';
    };
    expect(code(() => model.forward(tf.tensor2d([[1, 2]], [1, 2]) as tf.Tensor2D))).toBe('MODEL_INPUT_INVALID');
    expect(code(() => model.forward(tf.zeros([1, 6], 'int32') as tf.Tensor2D))).toBe('MODEL_INPUT_INVALID');
    expect(code(() => model.forward(tf.tensor2d([[1, 20]], [1, 2], 'int32')))).toBe('MODEL_INPUT_INVALID');
    expect(code(() => CLIPTextModel.meta({ hidden_size: 8, num_attention_heads: 2 }).forward(tf.zeros([1, 3], 'int32') as tf.Tensor2D))).toBe('MODEL_NOT_MATERIALIZED');

    const ids = tf.tensor2d([[1, 2, 3, 19, 0]], [1, 5], 'int32');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const out = model.forward(ids, { outputHiddenStates: true });
      tf.dispose([out.lastHiddenState, out.poolerOutput, ...out.hiddenStates!]);
    }
    expect(tf.memory().numTensors).toBe(before);
    const variables = tf.memory().numTensors;
    model.dispose();
    expect(tf.memory().numTensors).toBe(variables - model.namedParameters().length);
  });
});
