import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TOKENIZER_FILE_NAMES, invalidTokenizerFile, type CLIPTokenizerFiles } from './CLIPTokenizerFiles.js';

/**
 * Reads the tokenizer files of a transformers tokenizer folder (vocab.json, merges.txt, tokenizer_config.json,
 * special_tokens_map.json, added_tokens.json, tokenizer.json); files that are absent are left undefined,
 * JSON files are parsed. Throws SdxlError(TOKENIZER_INVALID) for a missing folder or unparsable JSON.
 */
export async function readTokenizerFolder(folder: string): Promise<CLIPTokenizerFiles> {
  const info = await stat(folder).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw invalidTokenizerFile(folder, undefined, 'the tokenizer folder does not exist (expected vocab.json and merges.txt in it)');
  }
  const [vocab, merges, tokenizerConfig, specialTokensMap, addedTokens, tokenizerJson] = await Promise.all([
    readJson(folder, TOKENIZER_FILE_NAMES.vocab),
    readText(folder, TOKENIZER_FILE_NAMES.merges),
    readJson(folder, TOKENIZER_FILE_NAMES.tokenizerConfig),
    readJson(folder, TOKENIZER_FILE_NAMES.specialTokensMap),
    readJson(folder, TOKENIZER_FILE_NAMES.addedTokens),
    readJson(folder, TOKENIZER_FILE_NAMES.tokenizerJson),
  ]);
  return { source: folder, vocab, merges, tokenizerConfig, specialTokensMap, addedTokens, tokenizerJson };
}

async function readText(folder: string, file: string): Promise<string | undefined> {
  const path = join(folder, file);
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw invalidTokenizerFile(path, undefined, `cannot be read (${(error as Error).message})`, error);
  }
}

async function readJson(folder: string, file: string): Promise<unknown> {
  const text = await readText(folder, file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidTokenizerFile(join(folder, file), undefined, `is not valid JSON (${(error as Error).message})`, error);
  }
}
