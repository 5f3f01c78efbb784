import type { ConfigReader } from './ConfigReader.js';

// why: transformers' PretrainedConfig (configuration_utils.py) gives every model these attributes, and older
// save_pretrained calls wrote them all. For an encoder's forward pass they change nothing: generation settings, label
// maps, task tags, decoder/LM-head switches an encoder-only model never reads, dtype and version tags.
const NO_EFFECT_FIELDS: readonly string[] = [
  'architectures', // checked by the model class
  'transformers_version',
  'torch_dtype', // weights are float32 in tfjs whatever was saved
  'return_dict',
  'torchscript',
  'use_bfloat16',
  'tf_legacy_loss',
  'output_hidden_states', // a default for the caller's option; forward() takes it explicitly
  'is_encoder_decoder',
  'is_decoder',
  'add_cross_attention',
  'cross_attention_hidden_size',
  'tie_encoder_decoder',
  'tie_word_embeddings',
  'chunk_size_feed_forward',
  'finetuning_task',
  'id2label',
  'label2id',
  'num_labels',
  'problem_type',
  'task_specific_params',
  'tokenizer_class',
  'prefix',
  'bos_token_id',
  'pad_token_id',
  'sep_token_id',
  'decoder_start_token_id',
  'max_length',
  'min_length',
  'do_sample',
  'early_stopping',
  'num_beams',
  'num_beam_groups',
  'diversity_penalty',
  'temperature',
  'top_k',
  'top_p',
  'typical_p',
  'repetition_penalty',
  'length_penalty',
  'no_repeat_ngram_size',
  'encoder_no_repeat_ngram_size',
  'bad_words_ids',
  'num_return_sequences',
  'output_scores',
  'return_dict_in_generate',
  'forced_bos_token_id',
  'forced_eos_token_id',
  'remove_invalid_values',
  'exponential_decay_length_penalty',
  'suppress_tokens',
  'begin_suppress_tokens',
];

/**
 * Reads the PretrainedConfig fields every transformers config may carry: the ones that change nothing are accepted,
 * `output_attentions` (we never return attention maps) and `pruned_heads` (would change weight shapes) only at their
 * defaults, and `model_type` must be `modelType` when present.
 */
export function readTransformersCommon(reader: ConfigReader, modelType: string): void {
  reader.accept(NO_EFFECT_FIELDS);
  reader.only('model_type', modelType, `this class reads model_type "${modelType}"`);
  reader.only('output_attentions', false, 'attention maps are not returned');
  reader.only('pruned_heads', {}, 'pruned attention heads are not implemented');
}
