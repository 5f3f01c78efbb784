import type { Dataset, HostTensor, Sample } from '@sdxl-trainer/core';

/**
 * One SDXL training example as the SDXL plugin consumes it — the script's `collate_fn` fields, with the
 * micro-conditioning that belongs to this very latent (`add_time_ids = originalSize + cropTopLeft + targetSize`).
 */
export interface SdxlSample extends Sample {
  /** VAE latents × scaling factor, NHWC `[h/8, w/8, 4]` (diffusers' `model_input`). */
  readonly modelInput: HostTensor;
  /** `[77, 2048]`: penultimate hidden states of both text encoders, concatenated. */
  readonly promptEmbeds: HostTensor;
  /** `[1280]`: text_encoder_2's pooled projection. */
  readonly pooledPromptEmbeds: HostTensor;
  /** `(height, width)` of the image before the resize. */
  readonly originalSize: readonly [number, number];
  /** `(y, x)` of the crop in the resized image. */
  readonly cropTopLeft: readonly [number, number];
  /** `(resolution, resolution)`. */
  readonly targetSize: readonly [number, number];
  /** The caption these embeddings encode. */
  readonly caption: string;
}

/** An example for on-the-fly training: pixels instead of latents and embeddings (the un-cached path). */
export interface SdxlPixelSample extends Sample {
  /** NHWC `[resolution, resolution, 3]` in [-1, 1] (the script's `pixel_values`, channels last). */
  readonly pixelValues: HostTensor;
  readonly originalSize: readonly [number, number];
  readonly cropTopLeft: readonly [number, number];
  readonly targetSize: readonly [number, number];
  readonly caption: string;
}

/** A dataset whose samples may differ per epoch (augmentation variant, caption choice); our loader asks by epoch. */
export interface EpochAwareDataset<S extends Sample = Sample> extends Dataset<S> {
  /** The sample at `index` as epoch `epoch` sees it. */
  getInEpoch(index: number, epoch: number): S | Promise<S>;
}

/** True when `dataset` implements {@link EpochAwareDataset}. */
export function isEpochAware<S extends Sample>(dataset: Dataset<S>): dataset is EpochAwareDataset<S> {
  return typeof (dataset as Partial<EpochAwareDataset<S>>).getInEpoch === 'function';
}
