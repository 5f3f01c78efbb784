import * as tf from '@tensorflow/tfjs-core';
import type { HostTensor } from '@sdxl-trainer/core';
import type { LatentEncoder } from '@sdxl-trainer/data';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { AutoencoderKL } from '@sdxl-trainer/models';
import type { LatentNoise } from './contentSeededNoise.js';

/** How a {@link VaeLatentEncoder} encodes. */
export interface VaeLatentEncoderOptions {
  /** Model identity for cache keys (VAE source, revision, subfolder, sampling seed). */
  readonly id: string;
  /** Images per VAE call, at most. */
  readonly batchSize: number;
  /** The ε of each image's latent sample. */
  readonly noise: LatentNoise;
}

/**
 * SDXL's VAE as the data package's LatentEncoder: train_text_to_image_sdxl.py's `compute_vae_encodings`,
 * `vae.encode(pixel_values).latent_dist.sample() * vae.config.scaling_factor`, in float32, for NHWC images in
 * [-1, 1]; at most `batchSize` images (of one shape) per VAE call. `release()` frees the VAE; encoding afterwards
 * is an error.
 */
export class VaeLatentEncoder implements LatentEncoder {
  readonly id: string;
  /** 2^(down blocks − 1): 8 for SDXL's VAE, 2 for a two-block test VAE. */
  readonly downsampleFactor: number;
  #vae: AutoencoderKL | undefined;

  constructor(
    vae: AutoencoderKL,
    private readonly options: VaeLatentEncoderOptions,
  ) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${options.batchSize}`);
    this.#vae = vae;
    this.id = options.id;
    this.downsampleFactor = 2 ** (vae.config.block_out_channels.length - 1);
  }

  /** Whether the VAE was freed. */
  get released(): boolean {
    return this.#vae === undefined;
  }

  /** Latents × scaling_factor, `[H/f, W/f, latent_channels]` per image (f = 8 for SDXL), in the images' order. */
  async encode(images: readonly HostTensor[]): Promise<HostTensor[]> {
    const vae = this.#vae;
    if (vae === undefined) {
      throw new SdxlError(ErrorCode.TRAINER_STATE_INVALID, `the VAE of ${this.id} was released after precompute (as the script frees it); load a VAE again to encode more images`);
    }
    images.forEach((image, i) => checkImage(image, i, vae.config.in_channels));
    const out: HostTensor[] = [];
    for (let start = 0; start < images.length; ) {
      let end = start + 1;
      while (end < images.length && end - start < this.options.batchSize && sameShape(images[end]!.shape, images[start]!.shape)) end++;
      out.push(...(await this.#encodeBatch(vae, images.slice(start, end))));
      start = end;
    }
    return out;
  }

  /** Frees the VAE (idempotent). */
  release(): void {
    this.#vae?.dispose();
    this.#vae = undefined;
  }

  async #encodeBatch(vae: AutoencoderKL, images: readonly HostTensor[]): Promise<HostTensor[]> {
    const [height, width, channels] = images[0]!.shape as [number, number, number];
    const pixels = new Float32Array(images.length * height * width * channels);
    images.forEach((image, i) => pixels.set(image.data, i * image.data.length));
    const input = tf.tensor4d(pixels, [images.length, height, width, channels]);
    const dist = vae.encode(input);
    input.dispose();
    let latents: tf.Tensor4D | undefined;
    try {
      const latentShape = dist.mean.shape.slice(1);
      const perImage = latentShape.reduce((a, b) => a * b, 1);
      const noise = new Float32Array(images.length * perImage);
      images.forEach((image, i) => {
        const epsilon = this.options.noise(image, latentShape);
        if (epsilon.length !== perImage) throw new RangeError(`the latent noise for image ${i} has ${epsilon.length} values; the latent [${latentShape.join(', ')}] needs ${perImage}`);
        noise.set(epsilon, i * perImage);
      });
      // diffusers autoencoders/vae.py DiagonalGaussianDistribution.sample: mean + std · ε; then × scaling_factor (compute_vae_encodings)
      latents = tf.tidy(() => tf.mul(dist.sample(tf.tensor4d(noise, dist.mean.shape)), vae.scalingFactor) as tf.Tensor4D);
      const data = (await latents.data()) as Float32Array;
      return images.map((_, i) => ({ data: data.slice(i * perImage, (i + 1) * perImage), shape: latentShape }));
    } finally {
      dist.dispose();
      latents?.dispose();
    }
  }
}

function checkImage(image: HostTensor, index: number, channels: number): void {
  const [height, width, depth] = image.shape;
  const valid =
    image.data instanceof Float32Array &&
    image.shape.length === 3 &&
    depth === channels &&
    Number.isInteger(height) &&
    Number.isInteger(width) &&
    height! > 0 &&
    width! > 0 &&
    image.data.length === height! * width! * depth!;
  if (!valid) {
    throw new SdxlError(
      ErrorCode.MODEL_INPUT_INVALID,
      `image ${index} for the VAE must be float32 NHWC pixels [height, width, ${channels}] in [-1, 1]; got ${image.data.constructor.name} of ${image.data.length} values, shape [${image.shape.join(', ')}]`,
      { details: { index, shape: image.shape } },
    );
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}
