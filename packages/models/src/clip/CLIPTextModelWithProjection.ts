import * as tf from '@tensorflow/tfjs-core';
import { Init } from '../nn/Init.js';
import { Linear } from '../nn/Linear.js';
import { loadPretrained } from '../pretrained/loadPretrained.js';
import type { PretrainedOptions } from '../pretrained/PretrainedOptions.js';
import type { RandomSource } from '../random/RandomSource.js';
import { parseCLIPTextConfig, type CLIPTextConfig } from './CLIPTextConfig.js';
import type { CLIPTextConfigInput } from './CLIPTextModel.js';
import { CLIPTextPretrainedModel } from './CLIPTextPretrainedModel.js';
import type { CLIPTextForwardOptions, CLIPTextTransformerOutput } from './CLIPTextTransformer.js';

/** What CLIPTextModelWithProjection.forward returns (transformers CLIPTextModelOutput, plus the pooled output). */
export interface CLIPTextModelWithProjectionOutput extends CLIPTextTransformerOutput {
  /** text_projection(poolerOutput) [B, projection_dim]: SDXL's pooled prompt embedding. */
  readonly textEmbeds: tf.Tensor2D;
}

/**
 * transformers' CLIPTextModelWithProjection (SDXL's `text_encoder_2`): CLIPTextModel plus `text_projection`, a
 * Linear(hidden_size, projection_dim) without bias. Frozen (not trainable) unless asked otherwise.
 */
export class CLIPTextModelWithProjection extends CLIPTextPretrainedModel {
  readonly className: string = 'CLIPTextModelWithProjection';
  readonly text_projection: Linear;

  private constructor(config: CLIPTextConfig, rawConfig: Readonly<Record<string, unknown>>) {
    super(config, rawConfig);
    // why: CLIPPreTrainedModel._init_weights — text_projection std hidden_size^-0.5·initializer_factor.
    const std = config.hidden_size ** -0.5 * config.initializer_factor;
    this.text_projection = this.registerModule('text_projection', new Linear(config.hidden_size, config.projection_dim, { bias: false, weightInit: Init.normal(std) }));
  }

  /** The model described by `config` with no weights: names, shapes and counts only (nothing is allocated). */
  static meta(config: CLIPTextConfigInput = {}): CLIPTextModelWithProjection {
    return new CLIPTextModelWithProjection(parseCLIPTextConfig(config, 'CLIPTextModelWithProjection config'), config as Record<string, unknown>);
  }

  /** A freshly initialised model, as transformers' `_init_weights` does for CLIP, from a seed or random source. */
  static fromConfig(config: CLIPTextConfigInput, random: number | RandomSource, options: { trainable?: boolean } = {}): CLIPTextModelWithProjection {
    return CLIPTextModelWithProjection.meta(config).setTrainable(options.trainable ?? false).initialize(random);
  }

  /** Loads `config.json` + `model.safetensors` (or variant / shards) from a local folder, e.g. `{ subfolder: 'text_encoder_2' }`. */
  static fromPretrained(folder: string, options: PretrainedOptions = {}): Promise<CLIPTextModelWithProjection> {
    return loadPretrained(folder, options, {
      format: 'transformers',
      trainableByDefault: false,
      build: (raw, configPath) => new CLIPTextModelWithProjection(parseCLIPTextConfig(raw, `CLIPTextModelWithProjection config ${configPath}`), raw),
    });
  }

  /** input_ids int32 [B, L] -> text embeddings, last hidden state, pooled output and (optionally) every hidden state. */
  forward(inputIds: tf.Tensor2D, options: CLIPTextForwardOptions = {}): CLIPTextModelWithProjectionOutput {
    return tf.tidy(() => {
      const output = this.text_model.forward(inputIds, { ...options, attentionChunkSize: options.attentionChunkSize ?? this.attentionChunkSize });
      return { ...output, textEmbeds: this.text_projection.forward(output.poolerOutput) as tf.Tensor2D };
    });
  }
}
