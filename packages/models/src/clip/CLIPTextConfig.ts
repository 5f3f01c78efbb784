import { ACTIVATIONS } from '../functional/activations.js';
import { ConfigReader } from '../pretrained/ConfigReader.js';
import { readTransformersCommon } from '../pretrained/readTransformersCommon.js';

/** transformers `hidden_act` names the CLIP text model supports here (activations.py ACT2FN). */
export type CLIPHiddenAct = 'gelu' | 'gelu_new' | 'gelu_pytorch_tanh' | 'quick_gelu' | 'silu' | 'swish' | 'relu';

/** transformers' CLIPTextConfig, field names as in config.json; defaults of CLIPTextConfig.__init__ (4.39). */
export interface CLIPTextConfig {
  readonly vocab_size: number;
  readonly hidden_size: number;
  readonly intermediate_size: number;
  /** Output width of CLIPTextModelWithProjection's text_projection. */
  readonly projection_dim: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  /** Longest input; also the number of position embeddings. */
  readonly max_position_embeddings: number;
  readonly hidden_act: CLIPHiddenAct;
  readonly layer_norm_eps: number;
  /** Always 0 here (dropout during training is not implemented). */
  readonly attention_dropout: number;
  /** Unused by the text model's initialisation (transformers uses a fixed 0.02·factor for its embeddings). */
  readonly initializer_range: number;
  /** Multiplies every initialisation std (transformers `_init_weights`). */
  readonly initializer_factor: number;
  /** Decides the pooled position: 2 (legacy configs) -> argmax of the ids, otherwise the first position holding it. */
  readonly eos_token_id: number | null;
  readonly bos_token_id: number | null;
  readonly pad_token_id: number | null;
}

/** The CLIPTextConfig defaults (transformers configuration_clip.py). */
export const CLIP_TEXT_CONFIG_DEFAULTS: CLIPTextConfig = Object.freeze({
  vocab_size: 49408,
  hidden_size: 512,
  intermediate_size: 2048,
  projection_dim: 512,
  num_hidden_layers: 12,
  num_attention_heads: 8,
  max_position_embeddings: 77,
  hidden_act: 'quick_gelu',
  layer_norm_eps: 1e-5,
  attention_dropout: 0,
  initializer_range: 0.02,
  initializer_factor: 1,
  eos_token_id: 49407,
  bos_token_id: 49406,
  pad_token_id: 1,
});

/**
 * Resolves a raw config.json object (a CLIPTextConfig as transformers writes it) into a {@link CLIPTextConfig}.
 * Unknown fields and unsupported values throw MODEL_CONFIG_UNSUPPORTED naming the field; malformed values
 * MODEL_CONFIG_INVALID. `source` names the class and file in messages.
 */
export function parseCLIPTextConfig(raw: unknown, source: string): CLIPTextConfig {
  const reader = new ConfigReader(source, raw);
  const d = CLIP_TEXT_CONFIG_DEFAULTS;
  readTransformersCommon(reader, 'clip_text_model');
  // why: `dropout` was a CLIPTextConfig argument in transformers < 4.31 that the model never read; old configs
  // (SDXL's among them) still carry it.
  reader.accept(['dropout']);
  const config: CLIPTextConfig = {
    vocab_size: reader.integer('vocab_size', d.vocab_size),
    hidden_size: reader.integer('hidden_size', d.hidden_size),
    intermediate_size: reader.integer('intermediate_size', d.intermediate_size),
    projection_dim: reader.integer('projection_dim', d.projection_dim),
    num_hidden_layers: reader.integer('num_hidden_layers', d.num_hidden_layers),
    num_attention_heads: reader.integer('num_attention_heads', d.num_attention_heads),
    max_position_embeddings: reader.integer('max_position_embeddings', d.max_position_embeddings),
    hidden_act: reader.oneOf('hidden_act', d.hidden_act, Object.keys(ACTIVATIONS) as CLIPHiddenAct[]),
    layer_norm_eps: reader.positive('layer_norm_eps', d.layer_norm_eps),
    attention_dropout: d.attention_dropout,
    initializer_range: reader.positive('initializer_range', d.initializer_range),
    initializer_factor: reader.positive('initializer_factor', d.initializer_factor),
    eos_token_id: reader.nullableInteger('eos_token_id', d.eos_token_id),
    bos_token_id: reader.nullableInteger('bos_token_id', d.bos_token_id),
    pad_token_id: reader.nullableInteger('pad_token_id', d.pad_token_id),
  };
  const dropout = reader.value('attention_dropout');
  if (dropout !== undefined && dropout !== 0) {
    throw reader.unsupported('attention_dropout', dropout, 'attention dropout during training is not implemented; at inference transformers ignores it, so 0.0 gives the same numbers');
  }
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw reader.invalid('hidden_size', config.hidden_size, `a multiple of num_attention_heads (${config.num_attention_heads}), as transformers' CLIPAttention requires`);
  }
  reader.finish();
  return Object.freeze(config);
}
