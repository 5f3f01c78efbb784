import * as tf from '@tensorflow/tfjs-core';
import { loadPretrained } from '../pretrained/loadPretrained.js';
import type { PretrainedOptions } from '../pretrained/PretrainedOptions.js';
import type { RandomSource } from '../random/RandomSource.js';
import { parseCLIPTextConfig, type CLIPTextConfig } from './CLIPTextConfig.js';
import { CLIPTextPretrainedModel } from './CLIPTextPretrainedModel.js';
import type { CLIPTextForwardOptions, CLIPTextTransformerOutput } from './CLIPTextTransformer.js';

/** A config as given by a caller: a config.json object, or some CLIPTextConfig fields (the rest take defaults). */
export type CLIPTextConfigInput = Partial<CLIPTextConfig> | Readonly<Record<string, unknown>>;

/** What CLIPTextModel.forward returns (transformers BaseModelOutputWithPooling). */
export type CLIPTextModelOutput = CLIPTextTransformerOutput;

/**
 * transformers' CLIPTextModel (SDXL's `text_encoder`): parameters named `text_model.…` exactly as in the checkpoint.
 * Frozen (not trainable) unless asked otherwise.
 */
export class CLIPTextModel extends CLIPTextPretrainedModel {
  readonly className: string = 'CLIPTextModel';

  private constructor(config: CLIPTextConfig, rawConfig: Readonly<Record<string, unknown>>) {
    super(config, rawConfig);
  }

  /** The model described by `config` with no weights: names, shapes and counts only (nothing is allocated). */
  static meta(config: CLIPTextConfigInput = {}): CLIPTextModel {
    return new CLIPTextModel(parseCLIPTextConfig(config, 'CLIPTextModel config'), config as Record<string, unknown>);
  }

  /** A freshly initialised model, as transformers' `_init_weights` does for CLIP, from a seed or random source. */
  static fromConfig(config: CLIPTextConfigInput, random: number | RandomSource, options: { trainable?: boolean } = {}): CLIPTextModel {
    return CLIPTextModel.meta(config).setTrainable(options.trainable ?? false).initialize(random);
  }

  /** Loads `config.json` + `model.safetensors` (or variant / shards) from a local folder, e.g. `{ subfolder: 'text_encoder' }`. */
  static fromPretrained(folder: string, options: PretrainedOptions = {}): Promise<CLIPTextModel> {
    return loadPretrained(folder, options, {
      format: 'transformers',
      trainableByDefault: false,
      build: (raw, configPath) => new CLIPTextModel(parseCLIPTextConfig(raw, `CLIPTextModel config ${configPath}`), raw),
    });
  }

  /** input_ids int32 [B, L] -> last hidden state, pooled output and (optionally) every hidden state. */
  forward(inputIds: tf.Tensor2D, options: CLIPTextForwardOptions = {}): CLIPTextModelOutput {
    return this.text_model.forward(inputIds, { ...options, attentionChunkSize: options.attentionChunkSize ?? this.attentionChunkSize });
  }
}
