import * as tf from '@tensorflow/tfjs-core';
import type { UNet2DConditionModel } from '@sdxl-trainer/models';
import type { EulerDiscreteScheduler } from '@sdxl-trainer/schedulers';
import { classifierFreeGuidance } from './classifierFreeGuidance.js';
import type { StepInfo } from './PipelineCallOptions.js';

/** The inputs of {@link denoise}; tensors stay the caller's. */
export interface DenoiseInputs {
  readonly unet: UNet2DConditionModel;
  /** Already `setTimesteps`'d. */
  readonly scheduler: EulerDiscreteScheduler;
  /** x_T, already multiplied by initNoiseSigma. NHWC `[n, h, w, 4]`. */
  readonly latents: tf.Tensor4D;
  /** `[2n, L, D]` ([uncond; cond]) with guidance, `[n, L, D]` without. */
  readonly encoderHiddenStates: tf.Tensor3D;
  readonly textEmbeds: tf.Tensor2D;
  readonly timeIds: tf.Tensor2D;
  readonly guidanceScale: number;
  readonly guidanceRescale: number;
  readonly doClassifierFreeGuidance: boolean;
  readonly onStep?: ((info: StepInfo) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * The denoising loop of diffusers' SDXL pipeline: per timestep, `scale_model_input(cat([x] · 2), t)` → UNet → guidance
 * → `scheduler.step`. Each step runs in one `tf.tidy`, so only the new latents outlive it; the event loop gets a turn
 * between steps (progress output, Ctrl-C). Returns the final latents (the caller owns them).
 */
export async function denoise(inputs: DenoiseInputs): Promise<tf.Tensor4D> {
  const { unet, scheduler, encoderHiddenStates, textEmbeds, timeIds, signal } = inputs;
  const timesteps = [...scheduler.timesteps];
  let latents = inputs.latents.clone();
  try {
    for (let step = 0; step < timesteps.length; step++) {
      signal?.throwIfAborted();
      const t = timesteps[step]!;
      const next = tf.tidy(() => {
        const doubled = inputs.doClassifierFreeGuidance ? tf.concat([latents, latents], 0) : latents;
        const modelInput = scheduler.scaleModelInput(doubled, t) as tf.Tensor4D;
        const noisePred = unet.forward(modelInput, t, encoderHiddenStates, { textEmbeds, timeIds });
        const guided = inputs.doClassifierFreeGuidance ? classifierFreeGuidance(noisePred, inputs.guidanceScale, inputs.guidanceRescale) : noisePred;
        return scheduler.step(guided, t, latents).prevSample as tf.Tensor4D;
      });
      latents.dispose();
      latents = next;
      inputs.onStep?.({ step, numSteps: timesteps.length, timestep: t, latents });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    signal?.throwIfAborted();
    return latents;
  } catch (error) {
    latents.dispose();
    throw error;
  }
}
