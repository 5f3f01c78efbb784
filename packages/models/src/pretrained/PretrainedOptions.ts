/** Where `fromPretrained` reads a model: a local folder, optionally a subfolder and a weights variant. */
export interface PretrainedOptions {
  /** Folder inside the model folder, e.g. "text_encoder_2" in a diffusers pipeline folder. */
  readonly subfolder?: string;
  /** Weights variant: reads `model.<variant>.safetensors` (e.g. "fp16"), as transformers/diffusers `variant=`. */
  readonly variant?: string;
  /** Whether the loaded weights are trainable tf.Variables (default: per model class). */
  readonly trainable?: boolean;
}
