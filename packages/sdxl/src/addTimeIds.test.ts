import { collate } from '@sdxl-trainer/core';
import { initBackend } from '@sdxl-trainer/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { addTimeIds } from './addTimeIds.js';
import { sdxlModelSources } from './components.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('addTimeIds (compute_time_ids of train_text_to_image_sdxl.py)', () => {
  it('concatenates original size, crop top-left and target size per sample', () => {
    // the reference train step's inputs: original_sizes [(96, 80), (64, 64)], crop_top_lefts [(8, 4), (0, 0)], target 64
    const samples = [
      { originalSize: [96, 80], cropTopLeft: [8, 4], targetSize: [64, 64] },
      { originalSize: [64, 64], cropTopLeft: [0, 0], targetSize: [64, 64] },
    ];
    const ids = tf.tidy(() => addTimeIds(collate(samples, [0, 1])).arraySync());
    expect(ids).toEqual([
      [96, 80, 8, 4, 64, 64],
      [64, 64, 0, 0, 64, 64],
    ]);
  });

  it('names the missing key', () => {
    expect(() => tf.tidy(() => addTimeIds(collate([{ originalSize: [1, 2], targetSize: [1, 1] }], [0])))).toThrow(/"cropTopLeft" as two numbers per sample/);
  });

  it('puts every SDXL component in its subfolder of the pretrained model', () => {
    const sources = sdxlModelSources('stabilityai/stable-diffusion-xl-base-1.0', { variant: 'fp16' });
    expect(Object.keys(sources)).toEqual(['unet', 'vae', 'text_encoder', 'text_encoder_2', 'tokenizer', 'tokenizer_2', 'scheduler']);
    expect(sources['vae']).toEqual({ path: 'stabilityai/stable-diffusion-xl-base-1.0', subfolder: 'vae', revision: undefined, variant: 'fp16' });
  });
});
