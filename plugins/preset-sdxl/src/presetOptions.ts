import { parseOptions, type ConfigProblem, type OptionDescription } from '@sdxl-trainer/core';
import { z } from 'zod';

const INTERPOLATION = ['bilinear', 'bicubic', 'box', 'hamming', 'lanczos', 'nearest', 'nearest_exact'] as const;

/**
 * The SDXL script's flags that are not core run options, camelCased (`--snr_gamma` → `snrGamma`), with the
 * script's defaults. Core options (batch size, learning rate, schedule, steps, output dir, ...) live in the run config.
 */
export const sdxlPresetOptionsSchema = z.strictObject({
  pretrainedModelNameOrPath: z.string().min(1),
  pretrainedVaeModelNameOrPath: z.string().min(1).optional(),
  revision: z.string().min(1).optional(),
  variant: z.string().min(1).optional(),
  datasetName: z.string().min(1).optional(),
  datasetConfigName: z.string().min(1).optional(),
  trainDataDir: z.string().min(1).optional(),
  imageColumn: z.string().min(1).default('image'),
  captionColumn: z.string().min(1).default('text'),
  maxTrainSamples: z.number().int().positive().optional(),
  cacheDir: z.string().min(1).optional(),
  resolution: z.number().int().positive().multipleOf(8).default(1024),
  centerCrop: z.boolean().default(false),
  randomFlip: z.boolean().default(false),
  imageInterpolationMode: z.enum(INTERPOLATION).default('lanczos'),
  proportionEmptyPrompts: z.number().min(0).max(1).default(0),
  gradientCheckpointing: z.boolean().default(false),
  useEma: z.boolean().default(false),
  use8bitAdam: z.boolean().default(false),
  snrGamma: z.number().positive().optional(),
  noiseOffset: z.number().nonnegative().default(0),
  timestepBiasStrategy: z.enum(['earlier', 'later', 'range', 'none']).default('none'),
  timestepBiasMultiplier: z.number().positive().default(1),
  timestepBiasBegin: z.number().int().nonnegative().default(0),
  timestepBiasEnd: z.number().int().nonnegative().default(1000),
  timestepBiasPortion: z.number().min(0).max(1).default(0.25),
  validationPrompt: z.string().min(1).optional(),
  numValidationImages: z.number().int().nonnegative().default(4),
  loggingDir: z.string().min(1).default('logs'),
  reportTo: z.enum(['tensorboard', 'wandb', 'comet_ml', 'all', 'none']).default('tensorboard'),
  checkpointsTotalLimit: z.number().int().positive().optional(),
  resumeFromCheckpoint: z.string().min(1).optional(),
  pushToHub: z.boolean().default(false),
  hubToken: z.string().min(1).optional(),
  hubModelId: z.string().min(1).optional(),
  enableXformersMemoryEfficientAttention: z.boolean().default(false),
  dataloaderNumWorkers: z.number().int().nonnegative().default(0),
  // beyond the script
  emptyPromptMode: z.enum(['encode', 'zero']).default('encode'),
  attentionChunkSize: z.number().int().positive().optional(),
  validationSteps: z.number().int().positive().default(25),
  augmentationVariants: z.number().int().positive().default(1),
  precomputeCacheDir: z.string().min(1).optional(),
});

/** Preset options as a user writes them. */
export type SdxlPresetOptions = z.input<typeof sdxlPresetOptionsSchema>;
/** Preset options with the script's defaults filled in. */
export type ResolvedSdxlPresetOptions = z.output<typeof sdxlPresetOptionsSchema>;

/** Every preset option: its flag and what it accepts, for errors and the docs. */
export const PRESET_OPTIONS: Readonly<Record<keyof SdxlPresetOptions, OptionDescription>> = {
  pretrainedModelNameOrPath: { flag: '--pretrained_model_name_or_path', expected: 'a local SDXL diffusers folder or a Hub id (required)' },
  pretrainedVaeModelNameOrPath: { flag: '--pretrained_vae_model_name_or_path', expected: 'a local VAE folder or a Hub id' },
  revision: { flag: '--revision', expected: 'a Hub branch, tag or commit' },
  variant: { flag: '--variant', expected: 'a weight variant such as "fp16"' },
  datasetName: { flag: '--dataset_name', expected: 'a Hub dataset id or a local dataset folder' },
  datasetConfigName: { flag: '--dataset_config_name', expected: 'a dataset config name' },
  trainDataDir: { flag: '--train_data_dir', expected: 'a local image folder' },
  imageColumn: { flag: '--image_column', expected: 'a column name' },
  captionColumn: { flag: '--caption_column', expected: 'a column name' },
  maxTrainSamples: { flag: '--max_train_samples', expected: 'a positive integer' },
  cacheDir: { flag: '--cache_dir', expected: 'a folder path' },
  resolution: { flag: '--resolution', expected: 'a positive multiple of 8' },
  centerCrop: { flag: '--center_crop', expected: 'true or false' },
  randomFlip: { flag: '--random_flip', expected: 'true or false' },
  imageInterpolationMode: { flag: '--image_interpolation_mode', expected: INTERPOLATION.map((m) => `"${m}"`).join(', ') },
  proportionEmptyPrompts: { flag: '--proportion_empty_prompts', expected: 'a number in [0, 1]' },
  gradientCheckpointing: { flag: '--gradient_checkpointing', expected: 'true or false' },
  useEma: { flag: '--use_ema', expected: 'true or false' },
  use8bitAdam: { flag: '--use_8bit_adam', expected: 'true or false' },
  snrGamma: { flag: '--snr_gamma', expected: 'a positive number (5.0 recommended)' },
  noiseOffset: { flag: '--noise_offset', expected: 'a non-negative number' },
  timestepBiasStrategy: { flag: '--timestep_bias_strategy', expected: '"earlier", "later", "range" or "none"' },
  timestepBiasMultiplier: { flag: '--timestep_bias_multiplier', expected: 'a positive number' },
  timestepBiasBegin: { flag: '--timestep_bias_begin', expected: 'a non-negative integer' },
  timestepBiasEnd: { flag: '--timestep_bias_end', expected: 'a non-negative integer' },
  timestepBiasPortion: { flag: '--timestep_bias_portion', expected: 'a number in [0, 1]' },
  validationPrompt: { flag: '--validation_prompt', expected: 'a prompt' },
  numValidationImages: { flag: '--num_validation_images', expected: 'a non-negative integer' },
  loggingDir: { flag: '--logging_dir', expected: 'a folder (relative to the output folder)' },
  reportTo: { flag: '--report_to', expected: '"tensorboard", "wandb", "comet_ml", "all" or "none"' },
  checkpointsTotalLimit: { flag: '--checkpoints_total_limit', expected: 'a positive integer' },
  resumeFromCheckpoint: { flag: '--resume_from_checkpoint', expected: '"latest" or a checkpoint folder' },
  pushToHub: { flag: '--push_to_hub', expected: 'true or false' },
  hubToken: { flag: '--hub_token', expected: 'a Hub token' },
  hubModelId: { flag: '--hub_model_id', expected: 'a Hub repo id' },
  enableXformersMemoryEfficientAttention: { flag: '--enable_xformers_memory_efficient_attention', expected: 'true or false' },
  dataloaderNumWorkers: { flag: '--dataloader_num_workers', expected: 'a non-negative integer' },
  emptyPromptMode: { expected: '"encode" (the script: "" is encoded) or "zero" (zeroed conditioning per step)' },
  attentionChunkSize: { expected: 'a positive number of queries per attention chunk' },
  validationSteps: { expected: 'a positive number of inference steps' },
  augmentationVariants: { expected: 'a positive integer (cached crop/flip draws per image)' },
  precomputeCacheDir: { expected: 'a folder for the embedding and latent caches' },
};

/** Validate preset options, with the script's own cross-checks. */
export function parsePresetOptions(input: unknown): ResolvedSdxlPresetOptions {
  return parseOptions('sdxlPreset()', sdxlPresetOptionsSchema, input, PRESET_OPTIONS, (o): ConfigProblem[] => {
    const problems: ConfigProblem[] = [];
    if (!o.datasetName && !o.trainDataDir) {
      problems.push({ path: 'datasetName', value: undefined, expected: 'datasetName or trainDataDir', message: 'datasetName (--dataset_name) or trainDataDir (--train_data_dir) is required, as in the script' });
    }
    if (o.hubToken && (o.reportTo === 'wandb' || o.reportTo === 'all')) {
      problems.push({
        path: 'hubToken',
        value: '(hidden)',
        expected: 'no hubToken together with reportTo wandb',
        message: 'hubToken (--hub_token) together with reportTo wandb would expose the token (the script refuses this too): log in with HF_TOKEN instead',
      });
    }
    return problems;
  });
}
