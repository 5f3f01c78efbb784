/**
 * Every flag of diffusers' train_text_to_image_sdxl.py (with the script's defaults) and a few schedule flags of
 * other diffusers scripts, and where each goes:
 * a core run option, an option of the SDXL preset, or a note said once at start-up (flags that have no
 * TensorFlow.js meaning). Source: examples/text_to_image/train_text_to_image_sdxl.py parse_args.
 */
export type FlagKind = 'string' | 'int' | 'float' | 'bool' | 'choice';

/** One flag of the script. */
export interface ScriptFlag {
  readonly kind: FlagKind;
  /** The script's default (undefined: None). */
  readonly default?: string | number | boolean | undefined;
  readonly choices?: readonly string[];
  /** Where the value goes: a core run option or a preset option (camelCase of the flag). */
  readonly target: 'core' | 'preset' | 'note';
  readonly help: string;
}

const core = (kind: FlagKind, help: string, extra: Partial<ScriptFlag> = {}): ScriptFlag => ({ kind, target: 'core', help, ...extra });
const preset = (kind: FlagKind, help: string, extra: Partial<ScriptFlag> = {}): ScriptFlag => ({ kind, target: 'preset', help, ...extra });
const note = (kind: FlagKind, help: string, extra: Partial<ScriptFlag> = {}): ScriptFlag => ({ kind, target: 'note', help, ...extra });

export const SCRIPT_FLAGS = {
  // model
  pretrained_model_name_or_path: preset('string', 'Hub id or local folder of the SDXL pipeline (required)'),
  pretrained_vae_model_name_or_path: preset('string', 'another VAE, loaded without a subfolder (e.g. madebyollin/sdxl-vae-fp16-fix)'),
  revision: preset('string', 'Hub revision of the model files'),
  variant: preset('string', 'weight variant, e.g. fp16'),
  prediction_type: core('choice', "override the scheduler's prediction type", { choices: ['epsilon', 'v_prediction', 'sample'] }),
  // data
  dataset_name: preset('string', 'Hub dataset id or local dataset folder'),
  dataset_config_name: preset('string', 'dataset config name'),
  train_data_dir: preset('string', 'a local image folder with metadata.jsonl / metadata.csv / .txt captions'),
  image_column: preset('string', 'image column', { default: 'image' }),
  caption_column: preset('string', 'caption column', { default: 'text' }),
  max_train_samples: preset('int', 'keep this many samples (shuffled by seed, then cut)'),
  cache_dir: preset('string', 'Hugging Face cache folder for models and datasets'),
  // preprocessing
  resolution: preset('int', 'shorter side resized to this, then cropped square', { default: 1024 }),
  center_crop: preset('bool', 'center crop instead of random crop', { default: false }),
  random_flip: preset('bool', 'random horizontal flip', { default: false }),
  image_interpolation_mode: preset('choice', 'resize filter', {
    default: 'lanczos',
    choices: ['bilinear', 'bicubic', 'box', 'hamming', 'lanczos', 'nearest', 'nearest_exact'],
  }),
  proportion_empty_prompts: preset('float', 'fraction of captions replaced by "" (in [0, 1])', { default: 0 }),
  // loop
  seed: core('int', 'seed of every random stream'),
  train_batch_size: core('int', 'samples per micro-batch', { default: 16 }),
  num_train_epochs: core('int', 'epochs (overridden by --max_train_steps)', { default: 100 }),
  max_train_steps: core('int', 'total optimizer steps'),
  gradient_accumulation_steps: core('int', 'micro-batches per optimizer step', { default: 1 }),
  gradient_checkpointing: preset('bool', 'recompute UNet blocks in the backward pass to save memory', { default: false }),
  use_ema: preset('bool', 'keep an EMA of the UNet (saved, validated with)', { default: false }),
  max_grad_norm: core('float', 'clip gradients to this global norm', { default: 1 }),
  // optimizer
  learning_rate: core('float', 'base learning rate', { default: 1e-4 }),
  scale_lr: core('bool', 'learning rate × accumulation × batch size', { default: false }),
  use_8bit_adam: preset('bool', 'blockwise 8-bit AdamW states', { default: false }),
  adam_beta1: core('float', 'AdamW β1', { default: 0.9 }),
  adam_beta2: core('float', 'AdamW β2', { default: 0.999 }),
  adam_weight_decay: core('float', 'AdamW weight decay', { default: 1e-2 }),
  adam_epsilon: core('float', 'AdamW ε', { default: 1e-8 }),
  // learning-rate schedule
  lr_scheduler: core('choice', "learning-rate schedule (diffusers' get_scheduler)", {
    default: 'constant',
    choices: ['linear', 'cosine', 'cosine_with_restarts', 'polynomial', 'constant', 'constant_with_warmup', 'piecewise_constant'],
  }),
  lr_warmup_steps: core('int', 'warmup steps (× accumulation, as the script passes them)', { default: 500 }),
  // beyond the SDXL script (other diffusers scripts' schedule flags, and ours)
  lr_num_cycles: core('int', 'hard restarts of cosine_with_restarts', { default: 1 }),
  lr_power: core('float', 'power of the polynomial schedule', { default: 1 }),
  lr_end: core('float', 'final learning rate of the polynomial schedule', { default: 1e-7 }),
  lr_step_rules: core('string', 'piecewise_constant rules, e.g. "1:10,0.1:20,0.01"'),
  logging_steps: core('int', 'emit metrics every N optimizer steps', { default: 1 }),
  // loss, noise, timesteps
  snr_gamma: preset('float', 'Min-SNR-γ loss weighting (5.0 recommended)'),
  noise_offset: preset('float', 'offset noise scale', { default: 0 }),
  timestep_bias_strategy: preset('choice', 'bias the sampled timesteps', { default: 'none', choices: ['earlier', 'later', 'range', 'none'] }),
  timestep_bias_multiplier: preset('float', 'weight multiplier of the biased timesteps', { default: 1 }),
  timestep_bias_begin: preset('int', 'range start (inclusive)', { default: 0 }),
  timestep_bias_end: preset('int', 'range end (exclusive, as the script slices)', { default: 1000 }),
  timestep_bias_portion: preset('float', 'fraction biased for earlier / later', { default: 0.25 }),
  // validation
  validation_prompt: preset('string', 'prompt of the validation and final images'),
  num_validation_images: preset('int', 'images per validation', { default: 4 }),
  validation_epochs: core('int', 'validate when epoch % N == 0', { default: 1 }),
  // logging and output
  output_dir: core('string', 'output, checkpoints and the final pipeline folder', { default: 'sdxl-model-finetuned' }),
  logging_dir: preset('string', 'TensorBoard folder, under output_dir', { default: 'logs' }),
  report_to: preset('choice', 'where metrics go', { default: 'tensorboard', choices: ['tensorboard', 'wandb', 'comet_ml', 'all', 'none'] }),
  // checkpoints
  checkpointing_steps: core('int', 'save a checkpoint every N steps', { default: 500 }),
  checkpoints_total_limit: preset('int', 'keep at most N checkpoints'),
  resume_from_checkpoint: preset('string', 'a checkpoint folder or "latest"'),
  // hub
  push_to_hub: preset('bool', 'push the final pipeline to the Hub', { default: false }),
  hub_token: preset('string', 'Hub token (HF_TOKEN also works)'),
  hub_model_id: preset('string', 'Hub repo id (default: the output folder name)'),
  // performance and distribution: accepted, with what they do here said at start-up
  mixed_precision: note('choice', 'fp16 / bf16 autocast', { choices: ['no', 'fp16', 'bf16'] }),
  allow_tf32: note('bool', 'TF32 matmuls on Ampere GPUs', { default: false }),
  enable_xformers_memory_efficient_attention: preset('bool', 'memory-efficient attention (query-chunked here)', { default: false }),
  enable_npu_flash_attention: note('bool', 'Ascend NPU flash attention', { default: false }),
  dataloader_num_workers: preset('int', 'image decode concurrency', { default: 0 }),
  local_rank: note('int', 'distributed rank', { default: -1 }),
} as const satisfies Record<string, ScriptFlag>;

/** One flag name of the script. */
export type ScriptFlagName = keyof typeof SCRIPT_FLAGS;

/** What a flag with no TensorFlow.js meaning does here: one line said at start-up when it is given. */
export const FLAG_NOTES: Readonly<Partial<Record<ScriptFlagName, (value: unknown) => string>>> = {
  mixed_precision: (v) =>
    v === 'no' ? '--mixed_precision no: float32, as always here' : `--mixed_precision ${String(v)}: ignored — TensorFlow.js has no float16/bfloat16 compute; training runs in float32 (fp16/bf16 weights are upcast on load)`,
  allow_tf32: () => '--allow_tf32: TensorFlow enables TF32 on Ampere+ GPUs by default; nothing to switch here',
  enable_xformers_memory_efficient_attention: () => '--enable_xformers_memory_efficient_attention: UNet and VAE attention run query-chunked (never the full attention matrix), same numbers',
  enable_npu_flash_attention: () => '--enable_npu_flash_attention: ignored — no Ascend NPU backend in TensorFlow.js',
  local_rank: (v) => `--local_rank ${String(v)}: ignored — single-process training (no distributed backend in TensorFlow.js)`,
};
