import * as tf from '@tensorflow/tfjs-core';
import type { AutoencoderKL } from '@sdxl-trainer/models';

/**
 * The VAE decode and image postprocessing of diffusers 0.27.2's SDXL pipeline: latents un-scaled (with
 * `latents_mean` / `latents_std` when the VAE config has both: `z · std / scaling_factor + mean`, else
 * `z / scaling_factor`), decoded, then `VaeImageProcessor.denormalize`: `(x / 2 + 0.5).clamp(0, 1)`. NHWC in and out.
 * Images are decoded one at a time (diffusers decodes the batch at once; each image is independent, and one at a time
 * bounds the decoder's peak memory).
 */
export function decodeLatents(vae: AutoencoderKL, latents: tf.Tensor4D): tf.Tensor4D {
  const { latents_mean: mean, latents_std: std, scaling_factor: scaling } = vae.config;
  const images: tf.Tensor4D[] = [];
  try {
    for (let i = 0; i < latents.shape[0]; i++) {
      images.push(
        tf.tidy(() => {
          const z = tf.slice(latents, [i, 0, 0, 0], [1, -1, -1, -1]);
          const unscaled =
            mean !== null && std !== null
              ? tf.add(tf.div(tf.mul(z, tf.tensor1d([...std], 'float32')), tf.scalar(scaling, 'float32')), tf.tensor1d([...mean], 'float32'))
              : tf.div(z, tf.scalar(scaling, 'float32'));
          const decoded = vae.decode(unscaled as tf.Tensor4D);
          return tf.clipByValue(tf.add(tf.div(decoded, tf.scalar(2, 'float32')), tf.scalar(0.5, 'float32')), 0, 1) as tf.Tensor4D;
        }),
      );
    }
    return images.length === 1 ? images[0]!.clone() : (tf.concat(images, 0) as tf.Tensor4D);
  } finally {
    tf.dispose(images);
  }
}

/**
 * Float images in [0, 1] to 8-bit, as diffusers' `numpy_to_pil`: `(image * 255).round().astype("uint8")` — the
 * product in float32, then NumPy's round half to even.
 */
export function toUint8(images: Float32Array): Uint8Array {
  const out = new Uint8Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = roundHalfEven(Math.fround(images[i]! * 255));
  return out;
}

function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
