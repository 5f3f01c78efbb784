import {
  TOKENIZER_FILE_NAMES,
  asJsonObject,
  describeFile,
  isTokenId,
  invalidTokenizerFile,
  type CLIPTokenizerFiles,
} from './CLIPTokenizerFiles.js';

/** A token matched literally in the raw text before any normalisation (transformers `AddedToken`). */
export interface AddedToken {
  readonly id: number;
  readonly content: string;
  /** Eats the whitespace on its left. */
  readonly lstrip: boolean;
  /** Eats the whitespace on its right. */
  readonly rstrip: boolean;
  /** Only matches as a whole word. */
  readonly singleWord: boolean;
}

/** The special and added tokens of a tokenizer, resolved the way transformers' slow tokenizer loads them. */
export interface SpecialTokens {
  /** Every added token, each split out of the text before BPE (for SDXL's tokenizer_2 that includes "!"). */
  readonly added: readonly AddedToken[];
  readonly bos: string | undefined;
  readonly eos: string | undefined;
  readonly unk: string | undefined;
  readonly pad: string | undefined;
  /** The text of every special token (transformers `all_special_tokens`): skipped by `decode(..., { skipSpecialTokens })`. */
  readonly special: ReadonlySet<string>;
  /** The additional special tokens (transformers `additional_special_tokens`). */
  readonly additional: readonly string[];
}

/** transformers `SPECIAL_TOKENS_ATTRIBUTES`, in the order the slow tokenizer adds missing ones. */
const SPECIAL_ATTRIBUTES = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;
type SpecialAttribute = (typeof SPECIAL_ATTRIBUTES)[number];

/** CLIPTokenizer's constructor defaults (transformers models/clip/tokenization_clip.py). */
const CLIP_DEFAULTS: Partial<Record<SpecialAttribute, string>> = {
  bos_token: '<|startoftext|>',
  eos_token: '<|endoftext|>',
  unk_token: '<|endoftext|>',
  pad_token: '<|endoftext|>',
};

interface TokenSpec {
  readonly content: string;
  readonly lstrip: boolean;
  readonly rstrip: boolean;
  readonly singleWord: boolean;
}

/**
 * Resolves bos/eos/unk/pad and the added tokens as transformers' `from_pretrained` + `PreTrainedTokenizer.__init__`
 * do: a tokenizer_config.json with `added_tokens_decoder` is authoritative; otherwise (legacy folders)
 * special_tokens_map.json overrides it and added_tokens.json / tokenizer.json's `added_tokens` add tokens.
 * A special token that is not an added token yet becomes one, with its vocabulary id or the next free id.
 */
export function resolveSpecialTokens(files: CLIPTokenizerFiles, vocab: ReadonlyMap<string, number>): SpecialTokens {
  const configPath = describeFile(files, TOKENIZER_FILE_NAMES.tokenizerConfig);
  const config = asJsonObject(files.tokenizerConfig) ?? {};
  if (files.tokenizerConfig !== undefined && asJsonObject(files.tokenizerConfig) === undefined) {
    throw invalidTokenizerFile(configPath, undefined, 'expected a JSON object');
  }
  const attributes = new Map<SpecialAttribute, TokenSpec | undefined>();
  for (const name of SPECIAL_ATTRIBUTES) {
    const fallback = CLIP_DEFAULTS[name];
    attributes.set(name, name in config ? tokenSpec(config[name], configPath, name) : fallback === undefined ? undefined : plain(fallback));
  }
  let additional = tokenList(config['additional_special_tokens'], configPath);
  const addedById = new Map<number, TokenSpec>();

  const decoder = config['added_tokens_decoder'];
  if (decoder !== undefined && decoder !== null) {
    for (const [key, value] of Object.entries(asJsonObject(decoder) ?? invalidDecoder(configPath))) {
      const id = Number(key);
      if (!isTokenId(id)) throw invalidTokenizerFile(configPath, `added_tokens_decoder.${key}`, 'expected a non-negative integer id');
      const spec = tokenSpec(value, configPath, `added_tokens_decoder.${key}`);
      if (spec !== undefined) addedById.set(id, spec);
    }
  } else {
    const mapPath = describeFile(files, TOKENIZER_FILE_NAMES.specialTokensMap);
    const map = files.specialTokensMap === undefined ? {} : (asJsonObject(files.specialTokensMap) ?? notAnObject(mapPath));
    for (const name of SPECIAL_ATTRIBUTES) if (name in map) attributes.set(name, tokenSpec(map[name], mapPath, name));
    for (const extra of tokenList(map['additional_special_tokens'], mapPath)) {
      if (!additional.some((token) => token.content === extra.content)) additional = [...additional, extra];
    }
    addLegacyAddedTokens(files, addedById);
  }

  // why: transformers appends special tokens missing from the added tokens: vocabulary id if the text is in
  // vocab.json, otherwise the next id after vocabulary + added tokens (PreTrainedTokenizer._add_tokens).
  const known = new Map<string, number>();
  for (const [id, spec] of addedById) known.set(spec.content, id);
  const idOf = (content: string): number | undefined => known.get(content) ?? vocab.get(content);
  let nextId = vocab.size + [...known.keys()].filter((content) => !vocab.has(content)).length;
  const addedContents = new Set([...addedById.values()].map((spec) => spec.content));
  const specials = [...SPECIAL_ATTRIBUTES.map((name) => attributes.get(name)), ...additional].filter(
    (spec): spec is TokenSpec => spec !== undefined,
  );
  for (const spec of specials) {
    if (spec.content === '' || addedContents.has(spec.content)) continue;
    let id = idOf(spec.content);
    if (id === undefined) {
      id = nextId++;
      known.set(spec.content, id);
    }
    addedById.set(id, spec);
    addedContents.add(spec.content);
  }

  const added = [...addedById.entries()]
    .filter(([, spec]) => spec.content !== '')
    .sort(([a], [b]) => a - b)
    .map(([id, spec]) => ({ id, ...spec }));
  return {
    added,
    bos: attributes.get('bos_token')?.content,
    eos: attributes.get('eos_token')?.content,
    unk: attributes.get('unk_token')?.content,
    pad: attributes.get('pad_token')?.content,
    special: new Set(specials.map((spec) => spec.content)),
    additional: additional.map((spec) => spec.content),
  };
}

/** added_tokens.json (text -> id) and tokenizer.json's `added_tokens`, read only for legacy folders. */
function addLegacyAddedTokens(files: CLIPTokenizerFiles, addedById: Map<number, TokenSpec>): void {
  if (files.addedTokens !== undefined) {
    const path = describeFile(files, TOKENIZER_FILE_NAMES.addedTokens);
    for (const [content, id] of Object.entries(asJsonObject(files.addedTokens) ?? notAnObject(path))) {
      if (!isTokenId(id)) throw invalidTokenizerFile(path, content, 'expected a non-negative integer id');
      addedById.set(id, plain(content));
    }
  }
  const list = asJsonObject(files.tokenizerJson)?.['added_tokens'];
  if (list === undefined) return;
  const path = describeFile(files, TOKENIZER_FILE_NAMES.tokenizerJson);
  if (!Array.isArray(list)) throw invalidTokenizerFile(path, 'added_tokens', 'expected an array');
  list.forEach((entry: unknown, index) => {
    const id = asJsonObject(entry)?.['id'];
    if (!isTokenId(id)) throw invalidTokenizerFile(path, `added_tokens[${index}].id`, 'expected a non-negative integer id');
    const spec = tokenSpec(entry, path, `added_tokens[${index}]`);
    if (spec !== undefined) addedById.set(id, spec);
  });
}

function plain(content: string): TokenSpec {
  return { content, lstrip: false, rstrip: false, singleWord: false };
}

/** A token written as a string, or as an object with `content` (and lstrip/rstrip/single_word), or null. */
function tokenSpec(value: unknown, path: string, field: string): TokenSpec | undefined {
  if (value === null) return undefined;
  if (typeof value === 'string') return plain(value);
  const object = asJsonObject(value);
  if (object === undefined || typeof object['content'] !== 'string') {
    throw invalidTokenizerFile(path, field, `expected a string or an object with a string "content", got ${JSON.stringify(value)}`);
  }
  return {
    content: object['content'],
    lstrip: object['lstrip'] === true,
    rstrip: object['rstrip'] === true,
    singleWord: object['single_word'] === true,
  };
}

function tokenList(value: unknown, path: string): TokenSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidTokenizerFile(path, 'additional_special_tokens', 'expected an array');
  return value.flatMap((entry: unknown, index) => tokenSpec(entry, path, `additional_special_tokens[${index}]`) ?? []);
}

function invalidDecoder(path: string): never {
  throw invalidTokenizerFile(path, 'added_tokens_decoder', 'expected an object mapping ids to tokens');
}

function notAnObject(path: string): never {
  throw invalidTokenizerFile(path, undefined, 'expected a JSON object');
}
