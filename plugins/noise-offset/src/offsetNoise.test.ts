import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@sdxl-trainer/core';
import { setTestBackend } from '@sdxl-trainer/tensor';
import { offsetNoise } from './offsetNoise.js';

beforeAll(async () => {
  await setTestBackend();
});

describe('offsetNoise (train_text_to_image_sdxl.py: noise += noise_offset * torch.randn((B, C, 1, 1)))', () => {
  it('adds one draw per sample and channel, constant over every spatial position, with std = offset (NHWC)', () => {
    const [B, H, W, C] = [4000, 2, 3, 4];
    const offset = 0.1;
    const added = tf.tidy(() => offsetNoise(tf.zeros([B, H, W, C]), offset, Rng.fromSeed(9, 'offset')).dataSync().slice());
    const draws = Rng.fromSeed(9, 'offset').fillNormal(new Float32Array(B * C)); // [B, C] row-major, as torch.randn((B, C, 1, 1))
    const perSampleChannel: number[] = [];
    let mismatches = 0;
    for (let b = 0; b < B; b++) {
      for (let c = 0; c < C; c++) {
        // why: torch multiplies a float32 tensor by the Python float as float32: round(f32(offset) · draw).
        const expected = Math.fround(Math.fround(offset) * draws[b * C + c]!);
        for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) if (added[((b * H + h) * W + w) * C + c] !== expected) mismatches++;
        perSampleChannel.push(added[b * H * W * C + c]!);
      }
    }
    expect(mismatches).toBe(0);
    const n = perSampleChannel.length;
    const mean = perSampleChannel.reduce((a, b) => a + b, 0) / n;
    const std = Math.sqrt(perSampleChannel.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    expect(Math.abs(mean)).toBeLessThan((4 * offset) / Math.sqrt(n)); // 4 standard errors
    expect(Math.abs(std / offset - 1)).toBeLessThan(4 / Math.sqrt(2 * n)); // std of a sample std ≈ σ / sqrt(2n)
  });

  it('adds to the noise it is given, and treats the last axis of a [B, F] tensor as channels', () => {
    const base = Rng.fromSeed(1, 'base').fillNormal(new Float32Array(6 * 8));
    const out = tf.tidy(() => offsetNoise(tf.tensor(base, [6, 8]), 0.5, Rng.fromSeed(2, 'offset')).dataSync().slice());
    const draws = Rng.fromSeed(2, 'offset').fillNormal(new Float32Array(6 * 8));
    out.forEach((value, i) => expect(value).toBe(Math.fround(base[i]! + Math.fround(0.5 * draws[i]!))));
  });

  it('rejects a tensor without a channel axis, and leaves no tensors behind', () => {
    expect(() => offsetNoise(tf.zeros([4]), 0.1, Rng.fromSeed(1))).toThrow(/rank ≥ 2.*\[4\]/);
    const before = tf.memory().numTensors;
    const noise = tf.zeros([2, 4, 4, 3]);
    const out = offsetNoise(noise, 0.1, Rng.fromSeed(1));
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([noise, out]);
  });
});
