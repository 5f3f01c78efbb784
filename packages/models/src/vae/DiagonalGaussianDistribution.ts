import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/**
 * The latent distribution AutoencoderKL.encode returns (diffusers autoencoders/vae.py DiagonalGaussianDistribution):
 * the moments' channels split in half, mean first; logvar clamped to [−30, 20]; std = exp(0.5·logvar),
 * var = exp(logvar). NHWC [B, h, w, latent]. The tensors belong to the caller: {@link dispose} frees them.
 */
export class DiagonalGaussianDistribution {
  readonly mean: tf.Tensor4D;
  readonly logvar: tf.Tensor4D;
  readonly std: tf.Tensor4D;
  readonly var: tf.Tensor4D;

  /** `moments` [B, h, w, 2·latent] (quant_conv's output); kept by no one after this. */
  constructor(moments: tf.Tensor4D) {
    [this.mean, this.logvar, this.std, this.var] = tf.tidy(() => {
      const [mean, raw] = tf.split(moments, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
      const logvar = tf.clipByValue(raw, -30, 20);
      return [mean, logvar, tf.exp(tf.mul(logvar, 0.5)), tf.exp(logvar)] as tf.Tensor4D[];
    }) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
  }

  /**
   * mean + std·ε (diffusers `latent_dist.sample(generator)`). `noise` is ε itself (e.g. the noise PyTorch drew, for
   * parity) with the mean's shape; `{ seed }` draws ε ~ N(0, 1) with tf.randomNormal (not torch's generator).
   */
  sample(noise: tf.Tensor4D | { readonly seed: number }): tf.Tensor4D {
    return tf.tidy(() => {
      const epsilon = 'seed' in noise ? tf.randomNormal(this.mean.shape, 0, 1, 'float32', noise.seed) : noise;
      if (!sameShape(epsilon.shape, this.mean.shape)) {
        throw new SdxlError(ErrorCode.MODEL_INPUT_INVALID, `latent noise must have the latent shape [${this.mean.shape.join(', ')}], got [${epsilon.shape.join(', ')}]`, {
          details: { shape: epsilon.shape, expected: this.mean.shape },
        });
      }
      return tf.add(this.mean, tf.mul(this.std, epsilon)) as tf.Tensor4D;
    });
  }

  /** The mode: the mean (a new tensor, so disposing the distribution leaves it alive). */
  mode(): tf.Tensor4D {
    return tf.clone(this.mean);
  }

  /** Frees mean, logvar, std and var. */
  dispose(): void {
    tf.dispose([this.mean, this.logvar, this.std, this.var]);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}
