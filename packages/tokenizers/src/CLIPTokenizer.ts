import { join } from 'node:path';
import { SdxlError, ErrorCode } from '@sdxl-trainer/errors';
import { AddedTokenSplitter } from './AddedTokenSplitter.js';
import { buildBatch, type BatchEncoding, type EncodeOptions } from './buildBatch.js';
import { toByteLevel } from './byteLevel.js';
import { ClipBpe } from './ClipBpe.js';
import type { CLIPTokenizerFiles } from './CLIPTokenizerFiles.js';
import { clipWords } from './clipWords.js';
import { decodeTokens, type DecodeOptions } from './decodeTokens.js';
import { fixText } from './fixText.js';
import { parseBpeModel } from './parseBpeModel.js';
import { readTokenizerConfig, type TokenizerSettings } from './readTokenizerConfig.js';
import { readTokenizerFolder } from './readTokenizerFolder.js';
import { resolveSpecialTokens, type AddedToken, type SpecialTokens } from './resolveSpecialTokens.js';

/** Where {@link CLIPTokenizer.fromPretrained} looks inside the folder. */
export interface FromPretrainedOptions {
  /** A folder inside `folder`, e.g. `'tokenizer'` or `'tokenizer_2'` of an SDXL pipeline folder. */
  readonly subfolder?: string;
}

/**
 * CLIP's byte-level BPE tokenizer, giving the ids transformers' slow `CLIPTokenizer` gives (with ftfy installed):
 * added tokens split out of the raw text first, then per piece `ftfy.fix_text` → whitespace collapse → lower case
 * → CLIP word pattern → byte-level BPE by merge rank, framed as `[BOS, ...ids, EOS]` and padded.
 */
export class CLIPTokenizer {
  /** The row length the text encoders accept (tokenizer_config.json `model_max_length`; 77). */
  readonly modelMaxLength: number;
  /** Number of entries of vocab.json (transformers `vocab_size`, without added tokens). */
  readonly vocabSize: number;
  /** `<|startoftext|>` (49406), first in every row. */
  readonly bosTokenId: number;
  /** `<|endoftext|>` (49407), right after the text. */
  readonly eosTokenId: number;
  /** The id rows are padded with: `<|endoftext|>` (49407) for SDXL's tokenizer, `!` (0) for tokenizer_2. */
  readonly padTokenId: number | undefined;
  /** What a BPE token missing from the vocabulary becomes (`<|endoftext|>` for CLIP). */
  readonly unkTokenId: number | undefined;
  /** Every added token (text matched literally before normalisation), by id. */
  readonly addedTokens: readonly AddedToken[];

  private readonly bpe: ClipBpe;
  private readonly vocab: ReadonlyMap<string, number>;
  private readonly vocabById: readonly (string | undefined)[];
  private readonly addedById: ReadonlyMap<number, AddedToken>;
  private readonly addedByContent: ReadonlyMap<string, number>;
  private readonly splitter: AddedTokenSplitter;
  private readonly specials: SpecialTokens;
  private readonly specialIds: ReadonlySet<number>;
  private readonly standaloneTokens: ReadonlySet<string>;
  private readonly settings: TokenizerSettings;

  private constructor(files: CLIPTokenizerFiles) {
    const model = parseBpeModel(files);
    this.specials = resolveSpecialTokens(files, model.vocabMap);
    this.settings = readTokenizerConfig(files);
    this.bpe = new ClipBpe(model.vocab, model.merges);
    this.vocab = model.vocabMap;
    const byId: (string | undefined)[] = [];
    for (const [token, id] of this.vocab) byId[id] = token;
    this.vocabById = byId;
    this.vocabSize = this.vocab.size;
    this.addedTokens = this.specials.added;
    this.addedById = new Map(this.addedTokens.map((token) => [token.id, token]));
    this.addedByContent = new Map(this.addedTokens.map((token) => [token.content, token.id]));
    this.splitter = new AddedTokenSplitter(this.addedTokens);
    this.modelMaxLength = this.settings.modelMaxLength;
    this.unkTokenId = this.optionalId(this.specials.unk);
    this.bosTokenId = this.requiredId(this.specials.bos, 'bos_token', files);
    this.eosTokenId = this.requiredId(this.specials.eos, 'eos_token', files);
    this.padTokenId = this.optionalId(this.specials.pad);
    this.specialIds = new Set([...this.specials.special].map((token) => this.tokenToId(token) ?? -1));
    // why: transformers' "legacy added tokens": added tokens that are not special, plus additional special
    // tokens beyond the vocabulary, are decoded on their own rather than through the byte table.
    this.standaloneTokens = new Set([
      ...this.addedTokens.map((token) => token.content).filter((content) => !this.specials.special.has(content)),
      ...this.specials.additional.filter((content) => (this.tokenToId(content) ?? -1) >= this.vocabSize),
    ]);
  }

  /**
   * Loads a tokenizer folder saved by transformers (vocab.json, merges.txt, tokenizer_config.json,
   * special_tokens_map.json; added_tokens.json and tokenizer.json are read when present). Throws
   * SdxlError(TOKENIZER_INVALID) naming the file and field that is missing or malformed.
   */
  static async fromPretrained(folder: string, options: FromPretrainedOptions = {}): Promise<CLIPTokenizer> {
    const files = await readTokenizerFolder(options.subfolder === undefined ? folder : join(folder, options.subfolder));
    return new CLIPTokenizer(files);
  }

  /** Builds a tokenizer from file contents already in memory (see {@link CLIPTokenizerFiles}). */
  static fromFiles(files: CLIPTokenizerFiles): CLIPTokenizer {
    return new CLIPTokenizer(files);
  }

  /** The BPE tokens and added tokens of `text`, without BOS/EOS (transformers `tokenize`), e.g. `["a</w>", "red</w>"]`. */
  tokenize(text: string): string[] {
    const tokens: string[] = [];
    for (const piece of this.splitter.split(text)) {
      if (typeof piece !== 'string') tokens.push(piece.content);
      else for (const word of clipWords(fixText(piece))) tokens.push(...this.bpe.tokens(toByteLevel(word)));
    }
    return tokens;
  }

  /**
   * Token ids of one text or a batch, as `tokenizer(texts, padding=..., truncation=..., max_length=...)` in
   * transformers: `[BOS, ...first maxLength - 2 text ids, EOS]`, padded with `padTokenId`. Defaults are what SDXL
   * training uses: `{ padding: 'max_length', truncation: true, maxLength: modelMaxLength }`.
   */
  encode(text: string | readonly string[], options: EncodeOptions = {}): BatchEncoding {
    const texts: readonly unknown[] = typeof text === 'string' ? [text] : text;
    const resolved = this.resolveOptions(options);
    const rows = texts.map((entry, index) => {
      if (typeof entry !== 'string') {
        throw invalidArgument(`encode: text ${index} is a ${typeof entry}, expected a string`);
      }
      return this.textIds(entry);
    });
    return buildBatch(rows, { bos: this.bosTokenId, eos: this.eosTokenId, pad: this.padTokenId }, resolved);
  }

  /** Text of token ids (transformers `decode`): BPE tokens joined, `</w>` read as spaces. */
  decode(ids: Iterable<number | bigint>, options: DecodeOptions = {}): string {
    const skip = options.skipSpecialTokens ?? false;
    const tokens: string[] = [];
    for (const value of ids) {
      const id = Number(value);
      const token = this.idToToken(id);
      if (token === undefined) {
        throw invalidArgument(`decode: id ${String(value)} is neither in the vocabulary (0..${this.vocabSize - 1}) nor an added token`);
      }
      if (skip && (this.specialIds.has(id) || this.specials.special.has(token))) continue;
      tokens.push(token);
    }
    return decodeTokens(tokens, this.standaloneTokens, options.cleanUpTokenizationSpaces ?? this.settings.cleanUpTokenizationSpaces);
  }

  /** The id of a token (an added token's text or a vocabulary entry such as `"cat</w>"`), or undefined. */
  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token) ?? this.vocab.get(token);
  }

  /** The token of an id (added tokens first, then the vocabulary), or undefined. */
  idToToken(id: number): string | undefined {
    return this.addedById.get(id)?.content ?? this.vocabById[id];
  }

  /** The text ids of one text, no BOS/EOS. */
  private textIds(text: string): number[] {
    const ids: number[] = [];
    for (const piece of this.splitter.split(text)) {
      if (typeof piece !== 'string') {
        ids.push(piece.id);
        continue;
      }
      for (const word of clipWords(fixText(piece))) {
        for (const token of this.bpe.tokens(toByteLevel(word))) ids.push(this.bpeTokenId(token));
      }
    }
    return ids;
  }

  /** transformers `_convert_token_to_id_with_added_voc`: added tokens, then the vocabulary, then unk. */
  private bpeTokenId(token: string): number {
    const id = this.tokenToId(token) ?? this.unkTokenId;
    if (id === undefined) {
      const problem = `BPE token ${JSON.stringify(token)} is not in the vocabulary and the tokenizer has no unk_token`;
      throw new SdxlError(ErrorCode.TOKENIZER_INVALID, problem);
    }
    return id;
  }

  private resolveOptions(options: EncodeOptions): Required<EncodeOptions> {
    const padding = options.padding ?? 'max_length';
    const truncation = options.truncation ?? true;
    const maxLength = options.maxLength ?? this.modelMaxLength;
    if (padding !== 'max_length' && padding !== 'longest' && padding !== false) {
      throw invalidArgument(`encode: padding must be 'max_length', 'longest' or false, got ${JSON.stringify(padding)}`);
    }
    if (!Number.isSafeInteger(maxLength) || maxLength < 2) {
      throw invalidArgument(`encode: maxLength must be an integer >= 2 (room for BOS and EOS), got ${maxLength}`);
    }
    return { padding, truncation, maxLength };
  }

  private optionalId(token: string | undefined): number | undefined {
    return token === undefined ? undefined : (this.tokenToId(token) ?? this.unkTokenId);
  }

  private requiredId(token: string | undefined, field: string, files: CLIPTokenizerFiles): number {
    const id = this.optionalId(token);
    if (id === undefined) {
      const where = files.source ?? '(in memory)';
      throw new SdxlError(ErrorCode.TOKENIZER_INVALID, `Invalid tokenizer ${where}: ${field} is null, but CLIP frames every row with it`, {
        details: { file: files.source, field },
      });
    }
    return id;
  }
}

function invalidArgument(message: string): SdxlError {
  return new SdxlError(ErrorCode.TOKENIZER_INVALID_ARGUMENT, message);
}
