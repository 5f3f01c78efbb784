import * as tf from '@tensorflow/tfjs-core';

/**
 * Classifier-free guidance on a `[uncond; cond]` batch of noise predictions (diffusers' SDXL denoising loop):
 * `uncond + scale · (cond − uncond)`, then, when `guidanceRescale > 0`, {@link rescaleNoiseCfg}. Returns the guided
 * half-batch.
 */
export function classifierFreeGuidance(noisePred: tf.Tensor4D, guidanceScale: number, guidanceRescale = 0): tf.Tensor4D {
  return tf.tidy(() => {
    const [uncond, cond] = tf.split(noisePred, 2, 0) as [tf.Tensor4D, tf.Tensor4D];
    const guided = tf.add(uncond, tf.mul(tf.scalar(guidanceScale, 'float32'), tf.sub(cond, uncond))) as tf.Tensor4D;
    return guidanceRescale > 0 ? rescaleNoiseCfg(guided, cond, guidanceRescale) : guided;
  });
}

/**
 * Guidance rescale (Lin et al., "Common Diffusion Noise Schedules and Sample Steps are Flawed", arXiv 2305.08891 §3.4;
 * diffusers `rescale_noise_cfg`): scale the guided prediction to the per-sample standard deviation of the text
 * prediction, then mix `φ · rescaled + (1 − φ) · guided`. Standard deviations are torch's default (unbiased, N − 1).
 */
export function rescaleNoiseCfg(noiseCfg: tf.Tensor4D, noisePredText: tf.Tensor4D, guidanceRescale: number): tf.Tensor4D {
  return tf.tidy(() => {
    const rescaled = tf.mul(noiseCfg, tf.div(unbiasedStd(noisePredText), unbiasedStd(noiseCfg)));
    return tf.add(tf.mul(tf.scalar(guidanceRescale, 'float32'), rescaled), tf.mul(tf.scalar(1 - guidanceRescale, 'float32'), noiseCfg)) as tf.Tensor4D;
  });
}

/** Per-sample standard deviation over every non-batch axis, Bessel-corrected, keeping dims. */
function unbiasedStd(x: tf.Tensor4D): tf.Tensor {
  const axes = [1, 2, 3];
  const count = x.shape[1] * x.shape[2] * x.shape[3];
  const centred = tf.sub(x, tf.mean(x, axes, true));
  return tf.sqrt(tf.div(tf.sum(tf.square(centred), axes, true), tf.scalar(count - 1, 'float32')));
}
