import { randomInt } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { Rng } from '@sdxl-trainer/tensor';

/** Largest seed {@link randomSeed} returns; seeds of a batch count up from the base seed. */
export const MAX_RANDOM_SEED = 2 ** 31 - 1;

/** A fresh random seed in [0, 2^31), for a call that gave none (it is reported so the image can be made again). */
export function randomSeed(): number {
  return randomInt(0, MAX_RANDOM_SEED + 1);
}

/**
 * Standard normal initial latents `[seeds.length, h, w, c]` (NHWC), image `i` drawn from its own
 * `Rng(seeds[i])` in row-major NHWC order — the same seed gives the same latents on every backend and in
 * any batch. (PyTorch's generator is not reproduced; pass `latents` for bit-parity with a diffusers run.)
 */
export function seededLatents(seeds: readonly number[], height: number, width: number, channels: number): tf.Tensor4D {
  const size = height * width * channels;
  const data = new Float32Array(seeds.length * size);
  seeds.forEach((seed, image) => {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new SdxlError(ErrorCode.PIPELINE_INPUT_INVALID, `seed must be a non-negative safe integer, got ${seed}`, { details: { field: 'seed', value: seed } });
    }
    const random = Rng.fromSeed(seed);
    for (let i = image * size; i < (image + 1) * size; i++) data[i] = random.normal();
  });
  return tf.tensor4d(data, [seeds.length, height, width, channels], 'float32');
}
