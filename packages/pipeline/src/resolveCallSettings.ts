import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { UNet2DConditionModel } from '@sdxl-trainer/models';
import { computeAddTimeIds } from './computeAddTimeIds.js';
import type { OutputType, PipelineCallOptions } from './PipelineCallOptions.js';

/** A call's checked numbers, with diffusers' defaults filled in. */
export interface CallSettings {
  readonly width: number;
  readonly height: number;
  readonly guidanceScale: number;
  readonly guidanceRescale: number;
  /** diffusers `do_classifier_free_guidance`: guidance_scale > 1 (time_cond_proj_dim is refused by the UNet). */
  readonly doClassifierFreeGuidance: boolean;
  readonly numInferenceSteps: number;
  readonly numImagesPerPrompt: number;
  readonly outputType: OutputType;
  readonly addTimeIds: readonly number[];
  readonly negativeAddTimeIds: readonly number[];
}

/** What {@link resolveCallSettings} needs to know about the pipeline. */
export interface PipelineGeometry {
  readonly unet: UNet2DConditionModel;
  /** 2^(len(vae.block_out_channels) − 1). */
  readonly vaeScaleFactor: number;
  /** Width of the pooled text embedding (text_encoder_2's projection_dim). */
  readonly pooledWidth: number;
}

/** Checks a call's numbers (diffusers `check_inputs` and `_get_add_time_ids`) and fills in the defaults. */
export function resolveCallSettings(options: PipelineCallOptions, geometry: PipelineGeometry): CallSettings {
  const { unet, vaeScaleFactor } = geometry;
  const sample = unet.config.sample_size;
  // why: diffusers defaults to `unet.config.sample_size * vae_scale_factor`; a [h, w] sample size is newer diffusers' form.
  const fallback = (axis: 0 | 1, name: string): number => {
    const size = typeof sample === 'number' ? sample : sample?.[axis];
    if (size === undefined) throw invalid(`${name} is required: unet config has no sample_size to default from`, name, undefined);
    return size * vaeScaleFactor;
  };
  const height = options.height ?? fallback(0, 'height');
  const width = options.width ?? fallback(1, 'width');
  for (const [name, value] of [['height', height], ['width', width]] as const) {
    // why: diffusers' check_inputs requires multiples of 8; the latent grid also needs multiples of the VAE factor.
    if (!Number.isInteger(value) || value <= 0 || value % 8 !== 0 || value % vaeScaleFactor !== 0) {
      throw invalid(`${name} must be a positive multiple of 8${vaeScaleFactor > 8 ? ` and of ${vaeScaleFactor}` : ''} pixels, got ${value}`, name, value);
    }
  }
  const guidanceScale = options.guidanceScale ?? 5;
  if (typeof guidanceScale !== 'number' || !Number.isFinite(guidanceScale)) throw invalid(`guidanceScale must be a finite number, got ${guidanceScale}`, 'guidanceScale', guidanceScale);
  const guidanceRescale = options.guidanceRescale ?? 0;
  if (!(guidanceRescale >= 0 && guidanceRescale <= 1)) throw invalid(`guidanceRescale must be in [0, 1], got ${guidanceRescale}`, 'guidanceRescale', guidanceRescale);
  const numInferenceSteps = options.numInferenceSteps ?? 50;
  if (!Number.isInteger(numInferenceSteps) || numInferenceSteps < 1) throw invalid(`numInferenceSteps must be a positive integer, got ${numInferenceSteps}`, 'numInferenceSteps', numInferenceSteps);
  const numImagesPerPrompt = options.numImagesPerPrompt ?? 1;
  if (!Number.isInteger(numImagesPerPrompt) || numImagesPerPrompt < 1) {
    throw invalid(`numImagesPerPrompt must be a positive integer, got ${numImagesPerPrompt}`, 'numImagesPerPrompt', numImagesPerPrompt);
  }
  const outputType = options.outputType ?? 'uint8';
  if (!['uint8', 'float', 'latent'].includes(outputType)) throw invalid(`outputType must be "uint8", "float" or "latent", got ${JSON.stringify(outputType)}`, 'outputType', outputType);

  const size = [height, width] as const;
  const addTimeIds = computeAddTimeIds(options.originalSize ?? size, options.cropsCoordsTopLeft ?? [0, 0], options.targetSize ?? size);
  const negativeAddTimeIds =
    options.negativeOriginalSize !== undefined && options.negativeTargetSize !== undefined
      ? computeAddTimeIds(options.negativeOriginalSize, options.negativeCropsCoordsTopLeft ?? [0, 0], options.negativeTargetSize)
      : addTimeIds;
  checkAddedEmbedding(unet, addTimeIds.length, geometry.pooledWidth);
  return {
    width,
    height,
    guidanceScale,
    guidanceRescale,
    doClassifierFreeGuidance: guidanceScale > 1,
    numInferenceSteps,
    numImagesPerPrompt,
    outputType,
    addTimeIds,
    negativeAddTimeIds,
  };
}

/** diffusers `_get_add_time_ids`: the UNet's add_embedding must take pooled width + ids × addition_time_embed_dim. */
function checkAddedEmbedding(unet: UNet2DConditionModel, ids: number, pooledWidth: number): void {
  const config = unet.config;
  if (config.addition_embed_type !== 'text_time') {
    throw new SdxlError(ErrorCode.PIPELINE_COMPONENT_UNSUPPORTED, `unet: addition_embed_type is ${JSON.stringify(config.addition_embed_type)}; the SDXL pipeline needs "text_time"`, {
      details: { component: 'unet', field: 'addition_embed_type' },
    });
  }
  const passed = config.addition_time_embed_dim! * ids + pooledWidth;
  if (passed !== config.projection_class_embeddings_input_dim) {
    throw new SdxlError(
      ErrorCode.PIPELINE_COMPONENT_UNSUPPORTED,
      `unet expects an added embedding of ${config.projection_class_embeddings_input_dim} values but gets ${passed} (${ids} time ids × addition_time_embed_dim ${config.addition_time_embed_dim} + pooled width ${pooledWidth}); check unet addition_time_embed_dim and text_encoder_2 projection_dim`,
      { details: { component: 'unet', expected: config.projection_class_embeddings_input_dim, passed } },
    );
  }
}

function invalid(message: string, field: string, value: unknown): SdxlError {
  return new SdxlError(ErrorCode.PIPELINE_INPUT_INVALID, message, { details: { field, value } });
}
