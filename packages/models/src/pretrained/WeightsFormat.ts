/** Which library's folder conventions a model follows: file names and the default shard size. */
export type WeightsFormat = 'transformers' | 'diffusers';

/** Base name of the weights file per format (`model.safetensors`, `diffusion_pytorch_model.safetensors`). */
export const WEIGHTS_BASE_NAME: Readonly<Record<WeightsFormat, string>> = Object.freeze({
  transformers: 'model',
  diffusers: 'diffusion_pytorch_model',
});

/** Name of the pickle weights the libraries used before safetensors, which this package does not read. */
export const PICKLE_BASE_NAME: Readonly<Record<WeightsFormat, string>> = Object.freeze({
  transformers: 'pytorch_model',
  diffusers: 'diffusion_pytorch_model',
});

/**
 * Default largest shard when saving: transformers' save_pretrained max_shard_size "5GB" and diffusers' "10GB"
 * (both mean 10^9-byte gigabytes).
 */
export const DEFAULT_MAX_SHARD_BYTES: Readonly<Record<WeightsFormat, number>> = Object.freeze({
  transformers: 5e9,
  diffusers: 10e9,
});
