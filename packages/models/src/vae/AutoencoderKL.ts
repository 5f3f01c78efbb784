import * as tf from '@tensorflow/tfjs-core';
import { checkInput } from '../blocks/checkInput.js';
import { diffusersActivation } from '../blocks/diffusersActivation.js';
import type { ResnetSettings } from '../blocks/ResnetSettings.js';
import { Conv2d } from '../nn/Conv2d.js';
import { DiffusersModel } from '../pretrained/DiffusersModel.js';
import { loadPretrained } from '../pretrained/loadPretrained.js';
import type { PretrainedOptions } from '../pretrained/PretrainedOptions.js';
import type { RandomSource } from '../random/RandomSource.js';
import { AUTOENCODER_KL_DEFAULTS, AUTOENCODER_KL_NEWER_FIELDS, parseAutoencoderKLConfig, type AutoencoderKLConfig } from './AutoencoderKLConfig.js';
import { Decoder } from './Decoder.js';
import { DiagonalGaussianDistribution } from './DiagonalGaussianDistribution.js';
import { Encoder } from './Encoder.js';

/** A VAE config as given by a caller: a config.json object, or some AutoencoderKLConfig fields (the rest take defaults). */
export type AutoencoderKLConfigInput = Partial<AutoencoderKLConfig> | Readonly<Record<string, unknown>>;

// why: diffusers' AttentionBlock (before 0.14) named the mid-block attention's linears query/key/value/proj_attn;
// ModelMixin._convert_deprecated_attention_blocks renames them when loading (modeling_utils.py).
const LEGACY_ATTENTION = /^((?:encoder|decoder)\.mid_block\.attentions\.\d+)\.(query|key|value|proj_attn)\.(weight|bias)$/;
const RENAMED: Readonly<Record<string, string>> = { query: 'to_q', key: 'to_k', value: 'to_v', proj_attn: 'to_out.0' };

/**
 * diffusers' AutoencoderKL (SDXL's `vae`): `encode(image)` → latent distribution, `decode(latents)` → image, NHWC,
 * parameters named as in the checkpoint. Frozen (not trainable) unless asked otherwise. `force_upcast` changes nothing
 * here: every computation is float32 already.
 */
export class AutoencoderKL extends DiffusersModel {
  readonly className: string = 'AutoencoderKL';
  readonly config: AutoencoderKLConfig;
  readonly encoder: Encoder;
  readonly decoder: Decoder;
  readonly quant_conv: Conv2d | null;
  readonly post_quant_conv: Conv2d | null;
  readonly #rawConfig: Readonly<Record<string, unknown>>;

  private constructor(config: AutoencoderKLConfig, rawConfig: Readonly<Record<string, unknown>>) {
    super();
    this.config = config;
    this.#rawConfig = rawConfig;
    const resnet: ResnetSettings = {
      tembChannels: null,
      groups: config.norm_num_groups,
      eps: 1e-6,
      activation: diffusersActivation(config.act_fn),
      timeEmbeddingNorm: 'default',
      outputScaleFactor: 1,
    };
    const latent = config.latent_channels;
    this.encoder = this.registerModule('encoder', new Encoder(config, resnet));
    this.decoder = this.registerModule('decoder', new Decoder(config, resnet));
    this.quant_conv = config.use_quant_conv ? this.registerModule('quant_conv', new Conv2d(2 * latent, 2 * latent, 1)) : null;
    this.post_quant_conv = config.use_post_quant_conv ? this.registerModule('post_quant_conv', new Conv2d(latent, latent, 1)) : null;
  }

  /** The model described by `config` with no weights: names, shapes and counts only (nothing is allocated). */
  static meta(config: AutoencoderKLConfigInput = {}): AutoencoderKL {
    return new AutoencoderKL(parseAutoencoderKLConfig(config, 'AutoencoderKL config'), config as Record<string, unknown>);
  }

  /** A freshly initialised model (PyTorch's default initialisers, as diffusers does), from a seed or random source. */
  static fromConfig(config: AutoencoderKLConfigInput, random: number | RandomSource, options: { trainable?: boolean } = {}): AutoencoderKL {
    return AutoencoderKL.meta(config).setTrainable(options.trainable ?? false).initialize(random);
  }

  /** Loads `config.json` + `diffusion_pytorch_model.safetensors` (or variant / shards) from a local folder, e.g. `{ subfolder: 'vae' }`. */
  static fromPretrained(folder: string, options: PretrainedOptions = {}): Promise<AutoencoderKL> {
    return loadPretrained(folder, options, {
      format: 'diffusers',
      trainableByDefault: false,
      build: (raw, configPath) => new AutoencoderKL(parseAutoencoderKLConfig(raw, `AutoencoderKL config ${configPath}`), raw),
    });
  }

  /** `scaling_factor`: the UNet sees `(z − shiftFactor)·scalingFactor` (train_text_to_image_sdxl.py compute_vae_encodings). */
  get scalingFactor(): number {
    return this.config.scaling_factor;
  }

  /** `shift_factor` (0 when the config has none, as in SDXL's). */
  get shiftFactor(): number {
    return this.config.shift_factor ?? 0;
  }

  /** image NHWC [B, H, W, in_channels] in [-1, 1] -> the latent distribution (NHWC [B, H/f, W/f, latent_channels]). */
  encode(image: tf.Tensor4D): DiagonalGaussianDistribution {
    checkInput('AutoencoderKL.encode', 'image', image, [null, null, null, this.config.in_channels], 'NHWC');
    const runtime = this.runtime();
    const moments = tf.tidy(() => {
      const hidden = this.encoder.forward(image, runtime);
      return this.quant_conv === null ? hidden : this.quant_conv.forward(hidden);
    });
    try {
      return new DiagonalGaussianDistribution(moments);
    } finally {
      moments.dispose();
    }
  }

  /** latents NHWC [B, h, w, latent_channels] (unscaled: divide the UNet's latents by scalingFactor first) -> image [B, h·f, w·f, out]. */
  decode(latents: tf.Tensor4D): tf.Tensor4D {
    checkInput('AutoencoderKL.decode', 'latents', latents, [null, null, null, this.config.latent_channels], 'NHWC');
    const runtime = this.runtime();
    return tf.tidy(() => this.decoder.forward(this.post_quant_conv === null ? latents : this.post_quant_conv.forward(latents), runtime));
  }

  override currentKeyName(key: string): string {
    const match = LEGACY_ATTENTION.exec(key);
    return match === null ? key : `${match[1]}.${RENAMED[match[2]!]}.${match[3]}`;
  }

  /** The source config's keys with the resolved values; fields newer than diffusers 0.27 only when given or not default. */
  configJson(): Record<string, unknown> {
    const resolved: Record<string, unknown> = { ...this.config };
    for (const field of AUTOENCODER_KL_NEWER_FIELDS) {
      if (!Object.hasOwn(this.#rawConfig, field) && resolved[field] === AUTOENCODER_KL_DEFAULTS[field]) delete resolved[field];
    }
    return this.diffusersConfigJson(this.#rawConfig, resolved);
  }
}
