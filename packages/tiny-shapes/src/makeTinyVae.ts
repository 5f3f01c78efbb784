import * as tf from '@tensorflow/tfjs-core';
import { AutoencoderKL } from '@sdxl-trainer/models';
import { Rng } from '@sdxl-trainer/tensor';
import { tinyShapesRows } from './makeTinyShapesDataset.js';
import { renderScene } from './shapes.js';

/**
 * The posterior log-variance every latent gets: σ = e^(−6) ≈ 0.0025. why: a randomly initialised encoder predicts
 * log-variances near 0, so its latents would be mostly the sampling noise (σ ≈ 1 against means of σ ≈ 0.2) and the
 * UNet would learn to draw noise, not the pictures; a trained VAE's posterior is narrow like this.
 */
const POSTERIOR_LOGVAR = -12;

/**
 * A tiny AutoencoderKL initialised from `config` and seeded stream `seed`/"vae", made usable as a frozen encoder:
 * the bias of `quant_conv`'s log-variance half is set to {@link POSTERIOR_LOGVAR}, and `scaling_factor` is 1 / the
 * standard deviation of the latent means over one picture of every caption, so the UNet sees unit-variance latents
 * — how Stable Diffusion's authors chose 0.18215 (and SDXL 0.13025) for their VAEs. The caller disposes the model.
 */
export async function makeTinyVae(config: Readonly<Record<string, unknown>>, seed: number, resolution: number): Promise<AutoencoderKL> {
  const probe = await build({ ...config, scaling_factor: 1 }, seed);
  let std: number;
  try {
    std = latentMeanStd(probe, resolution);
  } finally {
    probe.dispose();
  }
  // why: 3 significant digits, so the last-bit differences between backends' convolutions give the same factor.
  return build({ ...config, scaling_factor: Number((1 / std).toPrecision(3)) }, seed);
}

async function build(config: Readonly<Record<string, unknown>>, seed: number): Promise<AutoencoderKL> {
  const vae = AutoencoderKL.fromConfig(config, Rng.fromSeed(seed, 'vae'));
  const bias = vae.namedParameters().find(([name]) => name === 'quant_conv.bias')?.[1];
  if (bias === undefined) throw new Error('makeTinyVae: the VAE config has no quant_conv (use_quant_conv must be true)');
  // why: quant_conv's 2·latent outputs are [mean, logvar] along the channels (diffusers DiagonalGaussianDistribution
  // chunks them so); the mean half keeps its initialisation.
  const values = await bias.toPyTorch();
  values.fill(POSTERIOR_LOGVAR, values.length / 2);
  bias.setFromPyTorch(values);
  return vae;
}

/** Population standard deviation of the encoder's latent means over one picture per shape × colour × background. */
function latentMeanStd(vae: AutoencoderKL, resolution: number): number {
  const rows = tinyShapesRows({ count: 60, size: resolution, seed: 0 });
  const pixels = new Float32Array(rows.length * resolution * resolution * 3);
  rows.forEach((row, i) => {
    const bytes = renderScene(row.scene, resolution);
    for (let j = 0; j < bytes.length; j += 1) pixels[i * bytes.length + j] = bytes[j]! / 127.5 - 1;
  });
  return tf.tidy(() => {
    const images = tf.tensor4d(pixels, [rows.length, resolution, resolution, 3]);
    const posterior = vae.encode(images);
    const { variance } = tf.moments(posterior.mean);
    return Math.sqrt(variance.dataSync()[0]!);
  });
}
