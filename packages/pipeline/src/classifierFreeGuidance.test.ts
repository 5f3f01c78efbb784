import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifierFreeGuidance, rescaleNoiseCfg } from './classifierFreeGuidance.js';
import { maxAbsDiff } from './testing/reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** diffusers' rescale_noise_cfg in float64, one sample at a time: torch.std is unbiased by default. */
function naiveRescale(cfg: Float32Array, text: Float32Array, samples: number, phi: number): number[] {
  const size = cfg.length / samples;
  const out: number[] = [];
  const std = (v: Float32Array) => {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
  };
  for (let s = 0; s < samples; s++) {
    const c = cfg.subarray(s * size, (s + 1) * size);
    const ratio = std(text.subarray(s * size, (s + 1) * size)) / std(c);
    for (const value of c) out.push(phi * value * ratio + (1 - phi) * value);
  }
  return out;
}

describe('classifierFreeGuidance', () => {
  it('is uncond + w·(cond − uncond) on the [uncond; cond] halves', async () => {
    const pred = tf.randomNormal([4, 3, 5, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
    const values = await pred.data();
    const half = values.length / 2;
    const expected = Array.from({ length: half }, (_, i) => values[i]! + 7.5 * (values[half + i]! - values[i]!));
    expect(maxAbsDiff(await classifierFreeGuidance(pred, 7.5).data(), expected)).toBeLessThanOrEqual(1e-5);
  });

  it('rescaleNoiseCfg matches a float64 statement of diffusers rescale_noise_cfg within 1e-5', async () => {
    const cfg = tf.randomNormal([2, 4, 6, 4], 0, 3, 'float32', 2) as tf.Tensor4D;
    const text = tf.randomNormal([2, 4, 6, 4], 0.5, 1.5, 'float32', 3) as tf.Tensor4D;
    const expected = naiveRescale((await cfg.data()) as Float32Array, (await text.data()) as Float32Array, 2, 0.7);
    expect(maxAbsDiff(await rescaleNoiseCfg(cfg, text, 0.7).data(), expected)).toBeLessThanOrEqual(1e-5);
  });
});
