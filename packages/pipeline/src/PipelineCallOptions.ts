import type * as tf from '@tensorflow/tfjs-core';
import type { PixelPair } from './computeAddTimeIds.js';
import type { EncodePromptOptions } from './encodePrompt.js';

/** What a call returns as images: 8-bit (what a PNG holds), float in [0, 1], or none (latents only). */
export type OutputType = 'uint8' | 'float' | 'latent';

/** A channels-last batch as plain data: `data` is row-major `[n, h, w, c]`. */
export interface NhwcArray<A extends Uint8Array | Float32Array> {
  readonly data: A;
  readonly shape: readonly [number, number, number, number];
}

/** The images of a call, by output type. */
export type PipelineImages<T extends OutputType> = T extends 'latent' ? null : T extends 'float' ? NhwcArray<Float32Array> : NhwcArray<Uint8Array>;

/** What {@link PipelineCallOptions.onStep} sees after each denoising step. */
export interface StepInfo {
  /** 0-based index of the step just done. */
  readonly step: number;
  readonly numSteps: number;
  /** The scheduler timestep of this step (e.g. 801 for the first of 5). */
  readonly timestep: number;
  /** The latents after this step, NHWC; valid only during the callback (clone to keep). */
  readonly latents: tf.Tensor4D;
}

/**
 * Arguments of `StableDiffusionXLPipeline.call` (diffusers' `__call__`, camelCased). Prompts and precomputed
 * embeddings are as in {@link EncodePromptOptions}.
 */
export interface PipelineCallOptions<T extends OutputType = OutputType> extends Omit<EncodePromptOptions, 'doClassifierFreeGuidance' | 'numImagesPerPrompt'> {
  /** Classifier-free guidance weight w (Imagen eq. 2); ≤ 1 runs the UNet on the prompt alone. Default 5. */
  readonly guidanceScale?: number | undefined;
  /** Guidance rescale φ (arXiv 2305.08891 §3.4); default 0 (off). */
  readonly guidanceRescale?: number | undefined;
  /** Default 50. */
  readonly numInferenceSteps?: number | undefined;
  /** Base seed: image i of the batch starts from the noise of seed + i. Default: a random seed (see `seeds` in the output). */
  readonly seed?: number | undefined;
  /** Initial noise instead of a seed: NHWC `[batch · numImagesPerPrompt, height/f, width/f, 4]`, N(0, 1) (scaled by initNoiseSigma here, as prepare_latents). */
  readonly latents?: tf.Tensor4D | undefined;
  /** Pixels, multiples of 8; default `unet.sample_size × vae scale factor` (1024 for SDXL base). */
  readonly width?: number | undefined;
  readonly height?: number | undefined;
  /** Default 1. */
  readonly numImagesPerPrompt?: number | undefined;
  /** `[height, width]`; default `[height, width]` of the output. */
  readonly originalSize?: PixelPair | undefined;
  /** `[top, left]`; default `[0, 0]`. */
  readonly cropsCoordsTopLeft?: PixelPair | undefined;
  /** `[height, width]`; default `[height, width]` of the output. */
  readonly targetSize?: PixelPair | undefined;
  /** The negative branch's micro-conditioning; used only when both negativeOriginalSize and negativeTargetSize are given. */
  readonly negativeOriginalSize?: PixelPair | undefined;
  readonly negativeCropsCoordsTopLeft?: PixelPair | undefined;
  readonly negativeTargetSize?: PixelPair | undefined;
  /** Default `uint8`. */
  readonly outputType?: T | undefined;
  /** Called after every denoising step (progress, intermediate latents). */
  readonly onStep?: ((info: StepInfo) => void) | undefined;
  /** Aborts between steps (the error is the signal's reason). */
  readonly signal?: AbortSignal | undefined;
}

/** What a call returns: plain arrays (no tensors to free). */
export interface PipelineOutput<T extends OutputType = 'uint8'> {
  /** NHWC `[batch · numImagesPerPrompt, height, width, 3]`, or null for `outputType: 'latent'`. */
  readonly images: PipelineImages<T>;
  /** The final latents, NHWC `[n, height/f, width/f, 4]`, not divided by the VAE scaling factor (diffusers `output_type="latent"`). */
  readonly latents: NhwcArray<Float32Array>;
  /** The seed of each image (null when `latents` were given). */
  readonly seeds: readonly number[] | null;
  readonly width: number;
  readonly height: number;
  /** Notes such as a truncated prompt. */
  readonly warnings: readonly string[];
}
