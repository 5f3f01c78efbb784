import { TOKENIZER_FILE_NAMES, asJsonObject, describeFile, invalidTokenizerFile, type CLIPTokenizerFiles } from './CLIPTokenizerFiles.js';

/** The scalar settings of tokenizer_config.json that change encoding or decoding. */
export interface TokenizerSettings {
  readonly modelMaxLength: number;
  readonly cleanUpTokenizationSpaces: boolean;
}

/** The number of positions of every CLIP text model; used when the config leaves `model_max_length` unset. */
const CLIP_POSITIONS = 77;
/** transformers writes int(1e30) (`VERY_LARGE_INTEGER`) for "no limit"; anything this large means unset. */
const UNSET_LIMIT = 1e20;

/**
 * Reads `model_max_length` (77 when absent or transformers' "no limit" value, since CLIP has 77 positions)
 * and `clean_up_tokenization_spaces` (default true, as transformers 4.39).
 */
export function readTokenizerConfig(files: CLIPTokenizerFiles): TokenizerSettings {
  const path = describeFile(files, TOKENIZER_FILE_NAMES.tokenizerConfig);
  const config = asJsonObject(files.tokenizerConfig) ?? {};
  const limit = config['model_max_length'];
  let modelMaxLength = CLIP_POSITIONS;
  if (limit !== undefined && limit !== null) {
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 2) {
      throw invalidTokenizerFile(path, 'model_max_length', `expected an integer >= 2, got ${JSON.stringify(limit)}`);
    }
    if (limit < UNSET_LIMIT) modelMaxLength = limit;
  }
  const cleanUp = config['clean_up_tokenization_spaces'] ?? true;
  if (typeof cleanUp !== 'boolean') {
    throw invalidTokenizerFile(path, 'clean_up_tokenization_spaces', `expected true or false, got ${JSON.stringify(cleanUp)}`);
  }
  return { modelMaxLength, cleanUpTokenizationSpaces: cleanUp };
}
