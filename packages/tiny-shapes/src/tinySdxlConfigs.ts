/** What sets the tiny pipeline's shapes. */
export interface TinySdxlShape {
  /** Tokens in the tokenizers' vocabulary (the text encoders' `vocab_size`). */
  readonly vocabSize: number;
  /** Image side the pipeline is made for: the UNet's `sample_size` is this over the VAE's factor of 8. */
  readonly resolution: number;
}

/** The config.json of every component of the tiny pipeline. */
export interface TinySdxlConfigs {
  readonly textEncoder: Record<string, unknown>;
  readonly textEncoder2: Record<string, unknown>;
  readonly unet: Record<string, unknown>;
  readonly vae: Record<string, unknown>;
  readonly scheduler: Record<string, unknown>;
  readonly modelIndex: Record<string, unknown>;
}

/** Hidden size of both tiny text encoders (SDXL: 768 and 1280). */
const TEXT_HIDDEN = 32;
/** text_encoder_2's projection (SDXL: 1280): the pooled embedding the UNet's added conditions get. */
const PROJECTION_DIM = 32;
/** SDXL: 256. */
const ADDITION_TIME_EMBED_DIM = 8;
/** Every AutoencoderKL with four blocks halves the side three times (SDXL's `vae_scale_factor`). */
export const VAE_SCALE_FACTOR = 8;

/**
 * SDXL base 1.0's configs at tiny widths: the same classes, block types, attention layout and conditioning
 * (`addition_embed_type: text_time`, cross-attention over both encoders' hidden states concatenated,
 * 6 micro-conditioning ids), with channels and depths cut down so a step takes milliseconds on a CPU.
 * Source of the full-size values: stabilityai/stable-diffusion-xl-base-1.0's config.json files.
 */
export function tinySdxlConfigs({ vocabSize, resolution }: TinySdxlShape): TinySdxlConfigs {
  if (resolution % VAE_SCALE_FACTOR !== 0) throw new RangeError(`tinySdxlConfigs: resolution must be a multiple of ${VAE_SCALE_FACTOR}, got ${resolution}`);
  const clip = {
    attention_dropout: 0,
    // why: SDXL's text encoder configs carry these legacy ids (bos 0, eos 2, pad 1); with eos_token_id 2 transformers
    // pools at the argmax of the ids, i.e. at <|endoftext|>, the highest id in a CLIP vocabulary.
    bos_token_id: 0,
    eos_token_id: 2,
    pad_token_id: 1,
    hidden_size: TEXT_HIDDEN,
    initializer_factor: 1,
    initializer_range: 0.02,
    intermediate_size: 64,
    layer_norm_eps: 1e-5,
    max_position_embeddings: 77,
    model_type: 'clip_text_model',
    num_attention_heads: 4,
    num_hidden_layers: 2,
    projection_dim: PROJECTION_DIM,
    vocab_size: vocabSize,
  };
  return {
    textEncoder: { ...clip, architectures: ['CLIPTextModel'], hidden_act: 'quick_gelu' },
    textEncoder2: { ...clip, architectures: ['CLIPTextModelWithProjection'], hidden_act: 'gelu' },
    unet: {
      _class_name: 'UNet2DConditionModel',
      act_fn: 'silu',
      addition_embed_type: 'text_time',
      addition_time_embed_dim: ADDITION_TIME_EMBED_DIM,
      attention_head_dim: [2, 4, 4],
      block_out_channels: [32, 64, 64],
      center_input_sample: false,
      conv_in_kernel: 3,
      conv_out_kernel: 3,
      cross_attention_dim: 2 * TEXT_HIDDEN,
      down_block_types: ['DownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D'],
      downsample_padding: 1,
      flip_sin_to_cos: true,
      freq_shift: 0,
      in_channels: 4,
      layers_per_block: 1,
      mid_block_type: 'UNetMidBlock2DCrossAttn',
      norm_eps: 1e-5,
      norm_num_groups: 8,
      out_channels: 4,
      // why: the add embedding reads 6 time ids of ADDITION_TIME_EMBED_DIM sinusoids each plus the pooled text (diffusers' get_add_time_ids).
      projection_class_embeddings_input_dim: 6 * ADDITION_TIME_EMBED_DIM + PROJECTION_DIM,
      sample_size: resolution / VAE_SCALE_FACTOR,
      transformer_layers_per_block: [1, 1, 1],
      up_block_types: ['CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'UpBlock2D'],
      use_linear_projection: true,
    },
    vae: {
      _class_name: 'AutoencoderKL',
      act_fn: 'silu',
      block_out_channels: [16, 32, 32, 32],
      down_block_types: ['DownEncoderBlock2D', 'DownEncoderBlock2D', 'DownEncoderBlock2D', 'DownEncoderBlock2D'],
      force_upcast: true,
      in_channels: 3,
      latent_channels: 4,
      layers_per_block: 1,
      norm_num_groups: 8,
      out_channels: 3,
      sample_size: resolution,
      scaling_factor: 0.13025,
      up_block_types: ['UpDecoderBlock2D', 'UpDecoderBlock2D', 'UpDecoderBlock2D', 'UpDecoderBlock2D'],
    },
    scheduler: {
      _class_name: 'EulerDiscreteScheduler',
      _diffusers_version: '0.27.2',
      beta_end: 0.012,
      beta_schedule: 'scaled_linear',
      beta_start: 0.00085,
      interpolation_type: 'linear',
      num_train_timesteps: 1000,
      prediction_type: 'epsilon',
      rescale_betas_zero_snr: false,
      sigma_max: null,
      sigma_min: null,
      steps_offset: 1,
      timestep_spacing: 'leading',
      timestep_type: 'discrete',
      trained_betas: null,
      use_karras_sigmas: false,
    },
    modelIndex: {
      _class_name: 'StableDiffusionXLPipeline',
      _diffusers_version: '0.27.2',
      feature_extractor: [null, null],
      force_zeros_for_empty_prompt: true,
      image_encoder: [null, null],
      scheduler: ['diffusers', 'EulerDiscreteScheduler'],
      text_encoder: ['transformers', 'CLIPTextModel'],
      text_encoder_2: ['transformers', 'CLIPTextModelWithProjection'],
      tokenizer: ['transformers', 'CLIPTokenizer'],
      tokenizer_2: ['transformers', 'CLIPTokenizer'],
      unet: ['diffusers', 'UNet2DConditionModel'],
      vae: ['diffusers', 'AutoencoderKL'],
    },
  };
}
