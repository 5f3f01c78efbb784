// An independent statement of the reference sampling loop (fixture reference/README.md §g, "Replaying the loop"),
// written with the models directly and the Euler update by hand, for configurations the fixture does not cover.
import * as tf from '@tensorflow/tfjs-core';
import { EulerDiscreteScheduler } from '@sdxl-trainer/schedulers';
import type { StableDiffusionXLPipeline } from '../StableDiffusionXLPipeline.js';

/** One branch's conditioning: `[B, 77, D]` embeddings and `[B, P]` pooled embeddings. */
export interface Branch {
  readonly embeds: tf.Tensor3D;
  readonly pooled: tf.Tensor2D;
}

/** What {@link replay} runs. */
export interface ReplayInputs {
  readonly cond: Branch;
  /** Null: no guidance (UNet on the prompt alone). */
  readonly uncond: Branch | null;
  /** One time-id row, used for every sample (original size, crop top-left, target size). */
  readonly timeIds: readonly number[];
  /** N(0, 1) initial noise, NHWC. */
  readonly noise: tf.Tensor4D;
  readonly steps: number;
  readonly guidanceScale: number;
}

/** Final latents and the image in [0, 1] (NHWC), as plain arrays. */
export async function replay(pipe: StableDiffusionXLPipeline, inputs: ReplayInputs): Promise<{ latents: Float32Array; image: Float32Array }> {
  const scheduler = EulerDiscreteScheduler.fromConfig(pipe.scheduler.config);
  scheduler.setTimesteps(inputs.steps);
  const sigmas = scheduler.sigmas;
  const timesteps = scheduler.timesteps;
  const n = inputs.noise.shape[0];
  let x = tf.mul(inputs.noise, scheduler.initNoiseSigma) as tf.Tensor4D;
  for (let i = 0; i < timesteps.length; i++) {
    const sigma = sigmas[i]!;
    const next = tf.tidy(() => {
      const guided = inputs.uncond !== null;
      const input = tf.div(guided ? tf.concat([x, x]) : x, Math.sqrt(sigma * sigma + 1)) as tf.Tensor4D;
      const context = guided ? (tf.concat([inputs.uncond!.embeds, inputs.cond.embeds]) as tf.Tensor3D) : inputs.cond.embeds;
      const pooled = guided ? (tf.concat([inputs.uncond!.pooled, inputs.cond.pooled]) as tf.Tensor2D) : inputs.cond.pooled;
      const rows = guided ? 2 * n : n;
      const timeIds = tf.tensor2d(Array.from({ length: rows }, () => [...inputs.timeIds]));
      let eps = pipe.unet.forward(input, timesteps[i]!, context, { textEmbeds: pooled, timeIds }) as tf.Tensor;
      if (guided) {
        const [u, c] = tf.split(eps, 2);
        eps = tf.add(u!, tf.mul(inputs.guidanceScale, tf.sub(c!, u!)));
      }
      const x0 = tf.sub(x, tf.mul(sigma, eps));
      return tf.add(x, tf.mul(tf.div(tf.sub(x, x0), sigma), sigmas[i + 1]! - sigma)) as tf.Tensor4D;
    });
    x.dispose();
    x = next;
  }
  const image = tf.tidy(() => tf.clipByValue(tf.add(tf.div(pipe.vae.decode(tf.div(x, pipe.vae.config.scaling_factor) as tf.Tensor4D), 2), 0.5), 0, 1));
  const out = { latents: (await x.data()) as Float32Array, image: (await image.data()) as Float32Array };
  tf.dispose([x, image]);
  return out;
}
