import { PretrainedModel } from '../pretrained/PretrainedModel.js';
import type { CLIPTextConfig } from './CLIPTextConfig.js';
import { CLIPTextTransformer } from './CLIPTextTransformer.js';

/** The transformers release whose CLIP text code this package follows; written when a config has no version of its own. */
export const CLIP_TRANSFORMERS_VERSION = '4.39.3';

/** What CLIPTextModel and CLIPTextModelWithProjection share: config, `text_model`, transformers folder layout. */
export abstract class CLIPTextPretrainedModel extends PretrainedModel {
  readonly weightsFormat = 'transformers' as const;
  readonly config: CLIPTextConfig;
  readonly text_model: CLIPTextTransformer;
  /** Queries per attention chunk when a forward call does not say (undefined: no chunking). Same numbers either way. */
  attentionChunkSize: number | undefined;
  readonly #rawConfig: Readonly<Record<string, unknown>>;

  protected constructor(config: CLIPTextConfig, rawConfig: Readonly<Record<string, unknown>>) {
    super();
    this.config = config;
    this.#rawConfig = rawConfig;
    this.text_model = this.registerModule('text_model', new CLIPTextTransformer(config));
  }

  /** `position_ids` was a persistent buffer before transformers 4.31, so older checkpoints carry it (an arange). */
  override knownBuffers(): readonly string[] {
    return ['text_model.embeddings.position_ids'];
  }

  /**
   * The source config's keys with every resolved field, as transformers' save_pretrained writes them: `architectures`
   * set to this class, `torch_dtype` "float32" (the weights are written as float32), `_commit_hash` dropped.
   */
  configJson(): Record<string, unknown> {
    const json: Record<string, unknown> = {
      ...this.#rawConfig,
      ...this.config,
      architectures: [this.className],
      model_type: 'clip_text_model',
      torch_dtype: 'float32',
      transformers_version: this.#rawConfig.transformers_version ?? CLIP_TRANSFORMERS_VERSION,
    };
    delete json._commit_hash;
    return json;
  }
}
