import { REGEX_WHITE_SPACE, pyStrip } from './pythonText.js';
import {
  TOKENIZER_FILE_NAMES,
  asJsonObject,
  describeFile,
  isTokenId,
  invalidTokenizerFile,
  type CLIPTokenizerFiles,
} from './CLIPTokenizerFiles.js';

/** The BPE model of a CLIP tokenizer: its vocabulary and its merge rules in rank order. */
export interface BpeModel {
  /** vocab.json as parsed: token -> id. */
  readonly vocab: Readonly<Record<string, number>>;
  /** The same vocabulary as a Map. */
  readonly vocabMap: ReadonlyMap<string, number>;
  readonly merges: readonly (readonly [string, string])[];
}

/**
 * transformers' CLIPTokenizer reads merges.txt as `lines[1 : 49152 - 256 - 2 + 1]`: it skips the header and
 * keeps at most 48 894 merges (CLIP's 49 408 ids = 256 bytes x 2 + merges + 2 special tokens).
 */
const MAX_MERGES = 49152 - 256 - 2;
const SPACE = `[${REGEX_WHITE_SPACE}\\x1c-\\x1f]`;
const SYMBOL = `[^${REGEX_WHITE_SPACE}\\x1c-\\x1f]+`;
/** One merges.txt line as Python's `line.split()` reads it when it yields exactly two symbols. */
const MERGE_LINE = new RegExp(`^${SPACE}*(${SYMBOL})${SPACE}+(${SYMBOL})${SPACE}*$`, 'u');

/**
 * Validates vocab.json and merges.txt, or, when either is absent, takes both from tokenizer.json's BPE model.
 * Throws SdxlError(TOKENIZER_INVALID) naming the file and field that is missing or malformed.
 */
export function parseBpeModel(files: CLIPTokenizerFiles): BpeModel {
  const vocabPath = describeFile(files, TOKENIZER_FILE_NAMES.vocab);
  const mergesPath = describeFile(files, TOKENIZER_FILE_NAMES.merges);
  if (files.vocab !== undefined && files.merges !== undefined) {
    return { ...parseVocab(files.vocab, vocabPath, undefined), merges: parseMergesText(files.merges, mergesPath) };
  }
  const model = asJsonObject(asJsonObject(files.tokenizerJson)?.['model']);
  if (model !== undefined && model['type'] === 'BPE') {
    const path = describeFile(files, TOKENIZER_FILE_NAMES.tokenizerJson);
    return { ...parseVocab(model['vocab'], path, 'model.vocab'), merges: parseMergeList(model['merges'], path) };
  }
  const missing = files.vocab === undefined ? vocabPath : mergesPath;
  throw invalidTokenizerFile(missing, undefined, 'file not found (a CLIP tokenizer needs vocab.json and merges.txt)');
}

function parseVocab(value: unknown, path: string, field: string | undefined): Pick<BpeModel, 'vocab' | 'vocabMap'> {
  const vocab = asJsonObject(value);
  if (vocab === undefined) throw invalidTokenizerFile(path, field, 'expected a JSON object mapping tokens to ids');
  const vocabMap = new Map<string, number>();
  for (const [token, id] of Object.entries(vocab)) {
    if (!isTokenId(id)) {
      const where = field === undefined ? token : `${field}.${token}`;
      throw invalidTokenizerFile(path, where, `expected a non-negative integer id, got ${JSON.stringify(id)}`);
    }
    vocabMap.set(token, id);
  }
  if (vocabMap.size === 0) throw invalidTokenizerFile(path, field, 'the vocabulary is empty');
  return { vocab: vocab as Record<string, number>, vocabMap };
}

function parseMergesText(text: string, path: string): [string, string][] {
  const lines = pyStrip(text).split('\n').slice(1, MAX_MERGES + 1);
  return lines.map((line, index) => {
    const match = MERGE_LINE.exec(line);
    if (match === null) {
      throw invalidTokenizerFile(path, `line ${index + 2}`, `expected two symbols separated by a space, got ${JSON.stringify(line)}`);
    }
    return [match[1], match[2]] as [string, string];
  });
}

function parseMergeList(value: unknown, path: string): [string, string][] {
  if (!Array.isArray(value)) throw invalidTokenizerFile(path, 'model.merges', 'expected an array of merges');
  return value.map((merge: unknown, index) => {
    const pair = typeof merge === 'string' ? merge.split(' ') : merge;
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw invalidTokenizerFile(path, `model.merges[${index}]`, `expected "a b" or ["a", "b"], got ${JSON.stringify(merge)}`);
    }
    return [pair[0], pair[1]] as [string, string];
  });
}
