/** Where `fromPretrained` reads a model: a local folder or a Hub id, optionally a subfolder and a weights variant. */
export interface PretrainedOptions {
  /** Hub revision (branch, tag or commit) when the path is a Hub id. */
  readonly revision?: string;
  /** Hugging Face cache folder for Hub ids (default: HF_HUB_CACHE / HF_HOME / ~/.cache/huggingface/hub). */
  readonly cacheDir?: string;
  /** Hub token (default: HF_TOKEN / the huggingface-cli login). */
  readonly token?: string;
  /** Hub endpoint (default: HF_ENDPOINT or https://huggingface.co). */
  readonly endpoint?: string;
  /** Use only the Hugging Face cache (default: HF_HUB_OFFLINE). */
  readonly offline?: boolean;
  /** Folder inside the model folder, e.g. "text_encoder_2" in a diffusers pipeline folder. */
  readonly subfolder?: string;
  /** Weights variant: reads `model.<variant>.safetensors` (e.g. "fp16"), as transformers/diffusers `variant=`. */
  readonly variant?: string;
  /** Whether the loaded weights are trainable tf.Variables (default: per model class). */
  readonly trainable?: boolean;
}
