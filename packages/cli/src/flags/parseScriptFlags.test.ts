import { CORE_OPTIONS } from '@sdxl-trainer/core';
import { PRESET_OPTIONS } from '@sdxl-trainer/preset-sdxl';
import { describe, expect, it } from 'vitest';
import { camelCase, parseScriptFlags } from './parseScriptFlags.js';
import { SCRIPT_FLAGS } from './scriptFlags.js';

const BEYOND_THE_SCRIPT = ['lr_num_cycles', 'lr_power', 'lr_end', 'lr_step_rules', 'logging_steps'];
// The flags of train_text_to_image_sdxl.py's parse_args as the research table lists them (shared/research/mission-anchors.md §1.1).
const SCRIPT_FLAG_NAMES = [
  'adam_beta1', 'adam_beta2', 'adam_epsilon', 'adam_weight_decay', 'allow_tf32', 'cache_dir',
  'caption_column', 'center_crop', 'checkpointing_steps', 'checkpoints_total_limit', 'dataloader_num_workers',
  'dataset_config_name', 'dataset_name', 'enable_npu_flash_attention',
  'enable_xformers_memory_efficient_attention', 'gradient_accumulation_steps', 'gradient_checkpointing',
  'hub_model_id', 'hub_token', 'image_column', 'image_interpolation_mode', 'learning_rate', 'local_rank',
  'logging_dir', 'lr_scheduler', 'lr_warmup_steps', 'max_grad_norm', 'max_train_samples', 'max_train_steps',
  'mixed_precision', 'noise_offset', 'num_train_epochs', 'num_validation_images', 'output_dir',
  'prediction_type', 'pretrained_model_name_or_path', 'pretrained_vae_model_name_or_path',
  'proportion_empty_prompts', 'push_to_hub', 'random_flip', 'report_to', 'resolution',
  'resume_from_checkpoint', 'revision', 'scale_lr', 'seed', 'snr_gamma', 'timestep_bias_begin',
  'timestep_bias_end', 'timestep_bias_multiplier', 'timestep_bias_portion', 'timestep_bias_strategy',
  'train_batch_size', 'train_data_dir', 'use_8bit_adam', 'use_ema', 'validation_epochs', 'validation_prompt',
  'variant',
];

describe('the flags of train_text_to_image_sdxl.py', () => {
  it('are all there and each lands on a real core or preset option', () => {
    const names = Object.keys(SCRIPT_FLAGS);
    expect(names.filter((n) => !BEYOND_THE_SCRIPT.includes(n)).sort()).toEqual([...SCRIPT_FLAG_NAMES].sort());
    for (const [name, flag] of Object.entries(SCRIPT_FLAGS)) {
      if (flag.target === 'core') expect(Object.keys(CORE_OPTIONS), name).toContain(camelCase(name));
      if (flag.target === 'preset') expect(Object.keys(PRESET_OPTIONS), name).toContain(camelCase(name));
    }
  });

  it('keeps the script defaults in the option tables', () => {
    for (const [name, flag] of Object.entries(SCRIPT_FLAGS)) {
      const option = CORE_OPTIONS[camelCase(name) as keyof typeof CORE_OPTIONS] as { default?: unknown } | undefined;
      if (flag.target === 'core' && option && 'default' in option && flag.default !== undefined) expect(option.default, name).toEqual(flag.default);
    }
  });

  it('parses values by kind: ints, floats, choices, store-true flags, --flag=value', () => {
    const parsed = parseScriptFlags([
      '--train_batch_size=4',
      '--learning_rate',
      '1e-6',
      '--lr_scheduler',
      'cosine',
      '--center_crop',
      '--use_8bit_adam',
      '--snr_gamma',
      '5.0',
      '--pretrained_model_name_or_path',
      'stabilityai/stable-diffusion-xl-base-1.0',
      '--config',
      'x.ts',
    ]);
    expect(parsed.core).toEqual({ trainBatchSize: 4, learningRate: 1e-6, lrScheduler: 'cosine' });
    expect(parsed.preset).toEqual({ centerCrop: true, use8bitAdam: true, snrGamma: 5, pretrainedModelNameOrPath: 'stabilityai/stable-diffusion-xl-base-1.0' });
    expect(parsed.cli).toEqual({ config: 'x.ts' });
  });

  it('says once at start-up what the flags with no TensorFlow.js meaning do here', () => {
    const { notes, preset } = parseScriptFlags(['--mixed_precision', 'fp16', '--allow_tf32', '--local_rank', '0', '--enable_xformers_memory_efficient_attention']);
    expect(notes).toHaveLength(4);
    expect(notes[0]).toMatch(/^--mixed_precision fp16: ignored — TensorFlow.js has no float16\/bfloat16 compute/);
    expect(preset).toEqual({ enableXformersMemoryEfficientAttention: true });
  });

  it('names the flag and what it takes when a value is wrong, and suggests a near flag', () => {
    expect(() => parseScriptFlags(['--resolution', '512px'])).toThrow('--resolution "512px": expected an integer');
    expect(() => parseScriptFlags(['--lr_scheduler', 'onecycle'])).toThrow(/--lr_scheduler "onecycle": expected one of linear, cosine/);
    expect(() => parseScriptFlags(['--snr_gama', '5'])).toThrow('unknown option --snr_gama; did you mean --snr_gamma?');
    expect(() => parseScriptFlags(['--learning_rate'])).toThrow(/needs a value/);
  });
});
