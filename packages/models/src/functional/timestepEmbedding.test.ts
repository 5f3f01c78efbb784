import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SafetensorsReader } from '@sdxl-trainer/safetensors';
import { maxAbsDiff, openReference, readReference } from '../testing/fixture.js';
import { timestepEmbedding } from './timestepEmbedding.js';
import { setTestBackend } from '@sdxl-trainer/tensor';

let reference: SafetensorsReader;
beforeAll(async () => {
  await setTestBackend();
  reference = await openReference('unet_forward.safetensors');
});
afterAll(async () => {
  await reference.close();
});

/** diffusers get_timestep_embedding in float64: freq_i = exp(−ln(maxPeriod)·i/(half − shift)), [sin, cos] or flipped, zero pad. */
function naive(t: number[], dim: number, flip: boolean, shift: number, scale = 1): number[][] {
  const half = Math.floor(dim / 2);
  return t.map((value) => {
    const angles = Array.from({ length: half }, (_, i) => scale * value * Math.exp((-Math.log(10000) * i) / (half - shift)));
    const [sin, cos] = [angles.map(Math.sin), angles.map(Math.cos)];
    return [...(flip ? [...cos, ...sin] : [...sin, ...cos]), ...(dim % 2 === 1 ? [0] : [])];
  });
}

describe('timestepEmbedding', () => {
  // Float32 angles up to 999 carry a rounding of ~3e-5 (half an ulp of 999), so sin/cos can differ from float64 by that.
  it('matches the float64 formula for every flip / shift / odd-width / scale combination (within 1e-4)', () => {
    const t = [0, 1, 10, 137.5, 999];
    for (const [dim, flip, shift, scale] of [[32, true, 0, 1], [8, false, 1, 1], [7, true, 1, 1], [10, false, 0, 2]] as const) {
      const out = timestepEmbedding(tf.tensor1d(t), dim, { flipSinToCos: flip, downscaleFreqShift: shift, scale });
      expect(out.shape).toEqual([t.length, dim]);
      expect(maxAbsDiff(out.dataSync(), naive(t, dim, flip, shift, scale).flat()), `dim ${dim} flip ${flip} shift ${shift}`).toBeLessThanOrEqual(1e-4);
    }
  });

  // why 1e-5: PyTorch's float32 exp/sin/cos (SLEEF) and JS's (float64, rounded) may differ by an ulp, and at t = 999 an
  // ulp of the angle is 6e-5 (measured: 1.7e-6).
  it("matches PyTorch's time_proj and add_time_proj outputs of the fixture UNet (int timesteps [10, 999] and the SDXL time ids) within 1e-5", async () => {
    const timeProj = await readReference(reference, 'dbg.time_proj');
    const ours = timestepEmbedding(tf.tensor1d([10, 999], 'int32'), 32, { flipSinToCos: true, downscaleFreqShift: 0 });
    expect(maxAbsDiff(ours.dataSync(), timeProj.data)).toBeLessThanOrEqual(1e-5);
    const timeIds = await readReference(reference, 'time_ids');
    const addTimeProj = await readReference(reference, 'dbg.add_time_proj');
    const addOurs = timestepEmbedding(tf.tensor1d(timeIds.data), 8, { flipSinToCos: true, downscaleFreqShift: 0 });
    expect(addOurs.shape).toEqual(addTimeProj.shape);
    expect(maxAbsDiff(addOurs.dataSync(), addTimeProj.data)).toBeLessThanOrEqual(1e-5);
  });
});
