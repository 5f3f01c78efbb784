import '@tensorflow/tfjs-backend-cpu';
// why: tfjs-core's Node entry registers no gradients; its ES build's registry is shared (see @sdxl-trainer/tensor registerGradients).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { isSdxlError } from '@sdxl-trainer/errors';
import { registerCpuKernels, Rng, setTestBackend } from '@sdxl-trainer/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../testing/fixture.js';
import { UNet2DConditionModel, type UNet2DConditionConfigInput } from './UNet2DConditionModel.js';

// Configurations other than the fixture's: consistency tests (batch independence, chunked == plain, checkpointed ==
// plain, memory) rather than numbers from PyTorch; the blocks themselves are checked against float64 in
// blocks/blocks.naive.test.ts and the whole UNet against PyTorch in UNet2DConditionModel.fixture.test.ts.

beforeAll(async () => {
  await setTestBackend();
  registerCpuKernels();
});

/** Odd-sized, non-square, 3 blocks, every optional switch flipped away from SDXL's. */
const ASYMMETRIC: UNet2DConditionConfigInput = {
  block_out_channels: [8, 16, 16],
  down_block_types: ['CrossAttnDownBlock2D', 'DownBlock2D', 'CrossAttnDownBlock2D'],
  up_block_types: ['CrossAttnUpBlock2D', 'UpBlock2D', 'CrossAttnUpBlock2D'],
  layers_per_block: [1, 2, 1],
  attention_head_dim: [2, 1, 4],
  transformer_layers_per_block: [[1], [1, 1], [2]],
  reverse_transformer_layers_per_block: [[1, 1], [2, 1, 1], [1, 2]],
  cross_attention_dim: [12, 12, 12],
  norm_num_groups: 4,
  norm_eps: 1e-6,
  act_fn: 'gelu',
  use_linear_projection: false,
  addition_embed_type: 'text_time',
  addition_time_embed_dim: 4,
  projection_class_embeddings_input_dim: 6 + 5 * 4,
  time_embedding_dim: 20,
  time_embedding_act_fn: 'mish',
  timestep_post_act: 'silu',
  resnet_time_scale_shift: 'scale_shift',
  center_input_sample: true,
  conv_in_kernel: 1,
  conv_out_kernel: 5,
  downsample_padding: 0,
  flip_sin_to_cos: false,
  freq_shift: 1,
  mid_block_scale_factor: 2,
  in_channels: 3,
  out_channels: 5,
};

/** SD 1.x's layout, small: 4 blocks, UNetMidBlock2D, no addition embedding. */
const SD1_LIKE: UNet2DConditionConfigInput = {
  block_out_channels: [8, 8, 16, 16],
  norm_num_groups: 8,
  attention_head_dim: 2,
  cross_attention_dim: 10,
  layers_per_block: 1,
  mid_block_type: 'UNetMidBlock2D',
};

/** One block, no resampling, no mid block. */
const FLAT: UNet2DConditionConfigInput = {
  block_out_channels: [8],
  down_block_types: ['CrossAttnDownBlock2D'],
  up_block_types: ['CrossAttnUpBlock2D'],
  norm_num_groups: 2,
  attention_head_dim: 2,
  cross_attention_dim: 6,
  layers_per_block: 1,
  mid_block_type: null,
  use_linear_projection: true,
};

const random = Rng.fromSeed(5);
const randn = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.normal()), shape);

interface Inputs {
  sample: tf.Tensor4D;
  t: tf.Tensor1D;
  context: tf.Tensor3D;
  added: { textEmbeds?: tf.Tensor2D; timeIds?: tf.Tensor2D };
}

function inputsFor(unet: UNet2DConditionModel, [b, h, w]: [number, number, number]): Inputs {
  const c = unet.config;
  const cross = typeof c.cross_attention_dim === 'number' ? c.cross_attention_dim : c.cross_attention_dim[0]!;
  return {
    sample: randn([b, h, w, c.in_channels]) as tf.Tensor4D,
    t: tf.tensor1d(Array.from({ length: b }, (_, i) => 17 + 400 * i), 'int32'),
    context: randn([b, 7, cross]) as tf.Tensor3D,
    added: c.addition_embed_type === 'text_time' ? { textEmbeds: randn([b, 6]) as tf.Tensor2D, timeIds: tf.mul(tf.abs(randn([b, 5])), 64) as tf.Tensor2D } : {},
  };
}

function gradients(unet: UNet2DConditionModel, x: Inputs): { loss: number; grads: Map<string, Float32Array> } {
  const parameters = unet.namedParameters().filter(([, p]) => p.trainable);
  const weights = tf.tidy(() => tf.sin(tf.range(0, x.sample.shape[0] * x.sample.shape[1] * x.sample.shape[2] * unet.config.out_channels)));
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(tf.reshape(unet.forward(x.sample, x.t, x.context, x.added), [-1]), weights)) as tf.Scalar,
    parameters.map(([, p]) => p.value),
  );
  const result = new Map(parameters.map(([name, p]) => [name, grads[p.value.name]!.dataSync() as Float32Array]));
  const loss = value.dataSync()[0]!;
  tf.dispose([value, weights, ...Object.values(grads)]);
  return { loss, grads: result };
}

/** max |a − b| / max |b| over `b`'s values: the error relative to the tensor's scale. */
function relative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  return scale === 0 ? maxAbsDiff(a, b) : maxAbsDiff(a, b) / scale;
}

/** The worst {@link relative} error over every parameter's gradient. */
function worstDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  expect([...a.keys()]).toEqual([...b.keys()]);
  return Math.max(...[...a].map(([name, g]) => relative(g, b.get(name)!)));
}

describe('UNet2DConditionModel on other configurations', () => {
  const cases: [string, UNet2DConditionConfigInput, [number, number, number]][] = [
    ['3 asymmetric blocks, conv projections, scale_shift, 9×6 input (odd: explicit upsample sizes)', ASYMMETRIC, [2, 9, 6]],
    ["SD 1.x's layout (4 blocks, UNetMidBlock2D, no added conditions), 16×8 input", SD1_LIKE, [2, 16, 8]],
    ['one block, no resampling, no mid block, 5×3 input', FLAT, [2, 5, 3]],
  ];
  for (const [name, config, [b, h, w]] of cases) {
    it(`${name}: output shape, each sample independent of the batch (≤ 1e-5), a single timestep = a repeated one`, () => {
      const unet = UNet2DConditionModel.fromConfig(config, 1);
      const x = inputsFor(unet, [b, h, w]);
      const out = unet.forward(x.sample, x.t, x.context, x.added);
      expect(out.shape).toEqual([b, h, w, unet.config.out_channels]);
      expect(out.dataSync().every(Number.isFinite)).toBe(true);
      const row = (t: tf.Tensor, i: number) => tf.slice(t, i, 1);
      for (let i = 0; i < b; i++) {
        const added = Object.fromEntries(Object.entries(x.added).map(([key, value]) => [key, row(value, i)]));
        const single = unet.forward(row(x.sample, i) as tf.Tensor4D, row(x.t, i), row(x.context, i) as tf.Tensor3D, added);
        expect(maxAbsDiff(single.dataSync(), row(out, i).dataSync()), `sample ${i}`).toBeLessThanOrEqual(1e-5);
      }
      const scalar = unet.forward(x.sample, 17, x.context, x.added);
      const repeated = unet.forward(x.sample, tf.tensor1d(Array(b).fill(17), 'int32'), x.context, x.added);
      expect(maxAbsDiff(scalar.dataSync(), repeated.dataSync())).toBe(0);
      unet.dispose();
    });
  }

  // Tolerances relative to each tensor's largest value: 1e-5 (float32 sums taken in another order: chunks, the
  // hand-written attention backward, checkpoint recomputation).
  it('chunked attention gives the plain forward and gradients of every parameter (within 1e-5 relative)', () => {
    const unet = UNet2DConditionModel.fromConfig(ASYMMETRIC, 2);
    const x = inputsFor(unet, [2, 8, 6]);
    const plainOut = unet.forward(x.sample, x.t, x.context, x.added).dataSync();
    const plain = gradients(unet, x);
    unet.setAttentionChunkSize(5);
    const chunkedOut = unet.forward(x.sample, x.t, x.context, x.added).dataSync();
    const chunked = gradients(unet, x);
    console.log('chunked vs plain, relative', { forward: relative(chunkedOut, plainOut), gradients: worstDiff(chunked.grads, plain.grads) });
    expect(relative(chunkedOut, plainOut)).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(chunked.loss - plain.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(plain.loss));
    expect(worstDiff(chunked.grads, plain.grads)).toBeLessThanOrEqual(1e-5);
    unet.dispose();
  });

  it('gradient checkpointing (@sdxl-trainer/tensor checkpoint) gives the plain gradients (1e-5 relative) with a lower memory peak, frozen weights too', async () => {
    const unet = UNet2DConditionModel.fromConfig(FLAT, 3);
    const x = inputsFor(unet, [2, 16, 16]);
    const measure = async () => {
      let result: ReturnType<typeof gradients> | undefined;
      const before = tf.memory().numBytes;
      const info = await tf.profile(() => {
        result = gradients(unet, x);
      });
      return { ...result!, peak: info.peakBytes - before };
    };
    const plain = await measure();
    unet.enableGradientCheckpointing();
    expect(unet.isGradientCheckpointing).toBe(true);
    const checkpointed = await measure();
    console.log('checkpointing', { plainPeak: plain.peak, checkpointedPeak: checkpointed.peak, gradients: worstDiff(checkpointed.grads, plain.grads) });
    expect(checkpointed.loss).toBe(plain.loss);
    expect(worstDiff(checkpointed.grads, plain.grads)).toBeLessThanOrEqual(1e-5);
    expect(checkpointed.peak).toBeLessThan(0.8 * plain.peak);
    // frozen weights stay closed over (no gradient asked for them); the trainable ones still match
    unet.down_blocks.at(0).setTrainable(false);
    const partly = gradients(unet, x);
    unet.disableGradientCheckpointing();
    const partlyPlain = gradients(unet, x);
    expect(partly.grads.size).toBeLessThan(plain.grads.size);
    expect(worstDiff(partly.grads, partlyPlain.grads)).toBeLessThanOrEqual(1e-5);
    unet.dispose();
  });

  it('uses only ops with working tfjs gradients (no Einsum, StridedSlice or ResizeNearestNeighborGrad) and leaks no tensors', async () => {
    const unet = UNet2DConditionModel.fromConfig(SD1_LIKE, 4);
    const x = inputsFor(unet, [2, 16, 8]);
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => void gradients(unet, x));
    expect(tf.memory().numTensors).toBe(before);
    expect(profile.kernelNames).toContain('Conv2DBackpropFilter');
    for (const kernel of ['Einsum', 'StridedSlice', 'ResizeNearestNeighborGrad']) expect(profile.kernelNames).not.toContain(kernel);
    unet.dispose();
  });

  it('names what is wrong with its inputs (MODEL_INPUT_INVALID)', () => {
    const unet = UNet2DConditionModel.fromConfig(ASYMMETRIC, 6);
    const x = inputsFor(unet, [2, 8, 8]);
    const code = (fn: () => unknown): string => {
      try {
        fn();
      } catch (error) {
        expect(isSdxlError(error), String(error)).toBe(true);
        return (error as { code: string; message: string }).code + ': ' + (error as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(code(() => unet.forward(tf.zeros([2, 8, 8, 4]) as tf.Tensor4D, x.t, x.context, x.added))).toMatch(/MODEL_INPUT_INVALID: .*sample/);
    expect(code(() => unet.forward(x.sample, x.t, tf.zeros([2, 7, 9]) as tf.Tensor3D, x.added))).toMatch(/encoderHiddenStates/);
    expect(code(() => unet.forward(x.sample, x.t, x.context, {}))).toMatch(/textEmbeds, timeIds/);
    expect(code(() => unet.forward(x.sample, x.t, x.context, { ...x.added, timeIds: tf.zeros([2, 6]) as tf.Tensor2D }))).toMatch(/projection_class_embeddings_input_dim/);
    expect(code(() => unet.forward(x.sample, tf.tensor1d([1, 2, 3], 'int32'), x.context, x.added))).toMatch(/timestep/);
    unet.dispose();
  });
});
