import * as tf from '@tensorflow/tfjs-core';
import { collate, Trainer, type Batch, type MicroStepContext } from '@sdxl-trainer/core';
import { UNet2DConditionModel } from '@sdxl-trainer/models';
import { getSdxlHooks, SdxlSampleKey } from '@sdxl-trainer/sdxl';
import { initBackend } from '@sdxl-trainer/tensor';
import { sdxlTinyFixture } from '@sdxl-trainer/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNetDenoiser } from './UNetDenoiser.js';

let unet: UNet2DConditionModel;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  unet = await UNet2DConditionModel.fromPretrained(sdxlTinyFixture(), { subfolder: 'unet' });
});
afterAll(() => unet.dispose());

/** Two SDXL samples of the fixture's shapes (latents 8×8×4, prompt embeddings [77, 64], pooled [32]). */
function samples(seed: number) {
  const values = (n: number, offset: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed + offset + i * 0.37));
  return [0, 1].map((i) => ({
    [SdxlSampleKey.modelInput]: { data: values(8 * 8 * 4, i), shape: [8, 8, 4] },
    [SdxlSampleKey.promptEmbeds]: { data: values(77 * 64, 10 + i), shape: [77, 64] },
    [SdxlSampleKey.pooledPromptEmbeds]: { data: values(32, 20 + i), shape: [32] },
    [SdxlSampleKey.originalSize]: [96 - 32 * i, 80 - 16 * i],
    [SdxlSampleKey.cropTopLeft]: [8 * (1 - i), 4 * (1 - i)],
    [SdxlSampleKey.targetSize]: [64, 64],
  }));
}

/** The micro-step context core passes with a batch (only what these tests read). */
function microStep(batch: Batch): MicroStepContext {
  return { step: 1, microStep: 0, batch } as unknown as MicroStepContext;
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('UNetDenoiser (the SDXL UNet as core DenoisingModel)', () => {
  it('exposes every UNet parameter by its diffusers name, in compute layout', () => {
    const denoiser = new UNetDenoiser(unet, getSdxlHooks(new Trainer({ backend: 'cpu' })).conditioning);
    const names = unet.namedParameters().map(([name]) => name);
    expect([...denoiser.trainableVariables.keys()]).toEqual(names);
    // conv_in: PyTorch OIHW [32, 4, 3, 3] is HWIO [3, 3, 4, 32] here; a Linear [out, in] is [in, out]
    expect(denoiser.trainableVariables.get('conv_in.weight')!.shape).toEqual([3, 3, 4, 32]);
    expect(denoiser.trainableVariables.get('time_embedding.linear_1.weight')!.shape).toEqual([32, 128]);
  });

  it('predicts what the UNet gives for the batch conditioning and add_time_ids (compute_time_ids)', () => {
    const denoiser = new UNetDenoiser(unet, getSdxlHooks(new Trainer({ backend: 'cpu' })).conditioning);
    tf.tidy(() => {
      const batch = collate(samples(1), [0, 1]);
      const noisy = batch.tensors[SdxlSampleKey.modelInput]!;
      const timesteps = tf.tensor1d([137, 803], 'int32');
      const expected = unet.forward(noisy as tf.Tensor4D, timesteps, batch.tensors[SdxlSampleKey.promptEmbeds] as tf.Tensor3D, {
        textEmbeds: batch.tensors[SdxlSampleKey.pooledPromptEmbeds] as tf.Tensor2D,
        timeIds: tf.tensor2d([
          [96, 80, 8, 4, 64, 64],
          [64, 64, 0, 0, 64, 64],
        ]),
      });
      expect(maxAbsDiff(denoiser.predict({ noisy, timesteps, batch, context: microStep(batch) }), expected)).toBe(0);
    });
  });

  it('passes the conditioning through the SDXL conditioning waterfall with the micro-step context', () => {
    const trainer = new Trainer({ backend: 'cpu' });
    const hooks = getSdxlHooks(trainer);
    const seen: MicroStepContext[] = [];
    hooks.conditioning.tap('test:drop-pooled', (conditioning, context) => {
      seen.push(context);
      return { ...conditioning, pooledPromptEmbeds: tf.zerosLike(conditioning.pooledPromptEmbeds) };
    });
    const denoiser = new UNetDenoiser(unet, hooks.conditioning);
    tf.tidy(() => {
      const batch = collate(samples(2), [0, 1]);
      const context = microStep(batch);
      const noisy = batch.tensors[SdxlSampleKey.modelInput]!;
      const timesteps = tf.tensor1d([10, 999], 'int32');
      const prediction = denoiser.predict({ noisy, timesteps, batch, context });
      expect(seen).toEqual([context]);
      const zeroPooled = unet.forward(noisy as tf.Tensor4D, timesteps, batch.tensors[SdxlSampleKey.promptEmbeds] as tf.Tensor3D, {
        textEmbeds: tf.zeros([2, 32]) as tf.Tensor2D,
        timeIds: tf.tensor2d([
          [96, 80, 8, 4, 64, 64],
          [64, 64, 0, 0, 64, 64],
        ]),
      });
      expect(maxAbsDiff(prediction, zeroPooled)).toBe(0);
    });
  });

  it('names a missing conditioning key and refuses non-NHWC input', () => {
    const denoiser = new UNetDenoiser(unet, getSdxlHooks(new Trainer({ backend: 'cpu' })).conditioning);
    tf.tidy(() => {
      const [a, b] = samples(4).map(({ [SdxlSampleKey.pooledPromptEmbeds]: _dropped, ...rest }) => rest);
      const batch = collate([a!, b!], [0, 1]);
      const noisy = batch.tensors[SdxlSampleKey.modelInput]!;
      const context = microStep(batch);
      expect(() => denoiser.predict({ noisy, timesteps: tf.tensor1d([1, 2], 'int32'), batch, context })).toThrow(/needs "pooledPromptEmbeds"/);
      expect(() => denoiser.predict({ noisy: tf.zeros([2, 8]), timesteps: tf.tensor1d([1, 2], 'int32'), batch, context })).toThrow(/NHWC latents/);
    });
  });
});
