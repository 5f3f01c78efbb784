import type * as tf from '@tensorflow/tfjs-core';
import type { Batch, DenoiserInput, DenoisingModel } from '@sdxl-trainer/core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { UNet2DConditionModel } from '@sdxl-trainer/models';
import { addTimeIds, SdxlSampleKey, type SdxlHooks } from '@sdxl-trainer/sdxl';

/**
 * The SDXL UNet as core's {@link DenoisingModel}: the trainable UNet parameters by diffusers name, and a
 * prediction that is train_text_to_image_sdxl.py's
 * `unet(noisy_model_input, timesteps, prompt_embeds, added_cond_kwargs={"time_ids": add_time_ids, "text_embeds": pooled_prompt_embeds})`,
 * with the conditioning taken from the batch and passed, with the micro-step context, through the `conditioning`
 * waterfall of `getSdxlHooks(trainer)` first.
 */
export class UNetDenoiser implements DenoisingModel {
  /**
   * Every trainable UNet parameter by its diffusers name. The variables are in the models package's compute layout
   * (Linear `[in, out]`, Conv2d HWIO), not PyTorch's: convert with the parameter's layout to compare with PyTorch.
   */
  readonly trainableVariables: ReadonlyMap<string, tf.Variable>;

  constructor(
    readonly unet: UNet2DConditionModel,
    private readonly conditioning: SdxlHooks['conditioning'],
  ) {
    this.trainableVariables = new Map(unet.namedParameters().flatMap(([name, parameter]) => (parameter.trainable ? [[name, parameter.value] as const] : [])));
  }

  /** The UNet's prediction for a noisy NHWC batch; runs under the gradient tape (every op differentiable). */
  predict({ noisy, timesteps, batch, context }: DenoiserInput): tf.Tensor {
    if (noisy.rank !== 4) {
      throw new SdxlError(ErrorCode.MODEL_INPUT_INVALID, `the SDXL UNet takes NHWC latents [batch, height, width, channels]; the noisy model input has shape [${noisy.shape.join(', ')}]`, {
        details: { shape: noisy.shape },
      });
    }
    const conditioning = this.conditioning.call(
      {
        promptEmbeds: batchTensor(batch, SdxlSampleKey.promptEmbeds, 3) as tf.Tensor3D,
        pooledPromptEmbeds: batchTensor(batch, SdxlSampleKey.pooledPromptEmbeds, 2) as tf.Tensor2D,
        timeIds: addTimeIds(batch),
      },
      context,
    );
    return this.unet.forward(noisy as tf.Tensor4D, timesteps, conditioning.promptEmbeds, {
      textEmbeds: conditioning.pooledPromptEmbeds,
      timeIds: conditioning.timeIds,
    });
  }
}

function batchTensor(batch: Batch, key: string, rank: number): tf.Tensor {
  const tensor = batch.tensors[key];
  if (tensor === undefined || tensor.rank !== rank) {
    throw new SdxlError(
      ErrorCode.TRAINER_NO_DATA,
      `the SDXL UNet needs "${key}" in every sample (rank ${rank} once batched), got ${tensor === undefined ? 'nothing' : `shape [${tensor.shape.join(', ')}]`}; the SDXL text-encoding plugin (or a precomputed dataset) provides it`,
      { details: { key } },
    );
  }
  return tensor;
}
