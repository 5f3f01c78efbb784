import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLIP_SPECIAL_TOKENS, mergesText, type ClipVocabulary } from './clipVocabulary.js';

const [BOS, EOS] = CLIP_SPECIAL_TOKENS;

/**
 * Writes a slow-CLIPTokenizer folder as transformers' `save_pretrained` lays it out for SDXL: `vocab.json`,
 * `merges.txt`, `tokenizer_config.json` and `special_tokens_map.json`. The pad token is `<|endoftext|>` for
 * `tokenizer/` and `!` (id 0, an added special token) for `tokenizer_2/`, as in stabilityai/stable-diffusion-xl-base-1.0.
 */
export async function writeClipTokenizer(folder: string, vocabulary: ClipVocabulary, padToken: '<|endoftext|>' | '!'): Promise<void> {
  await mkdir(folder, { recursive: true });
  const special = { lstrip: false, normalized: true, rstrip: false, single_word: false };
  const addedTokens: Record<string, unknown> = {};
  if (padToken === '!') addedTokens[String(vocabulary.vocab['!'])] = { content: '!', lstrip: false, normalized: false, rstrip: false, single_word: false, special: true };
  addedTokens[String(vocabulary.vocab[BOS])] = { content: BOS, ...special, special: true };
  addedTokens[String(vocabulary.vocab[EOS])] = { content: EOS, ...special, special: true };
  const tokenizerConfig = {
    added_tokens_decoder: addedTokens,
    bos_token: BOS,
    clean_up_tokenization_spaces: true,
    eos_token: EOS,
    errors: 'replace',
    model_max_length: 77,
    pad_token: padToken,
    tokenizer_class: 'CLIPTokenizer',
    unk_token: EOS,
  };
  const specialTokensMap = { bos_token: { content: BOS, ...special }, eos_token: { content: EOS, ...special }, pad_token: padToken, unk_token: { content: EOS, ...special } };
  await writeFile(join(folder, 'vocab.json'), JSON.stringify(vocabulary.vocab));
  await writeFile(join(folder, 'merges.txt'), mergesText(vocabulary.merges));
  await writeFile(join(folder, 'tokenizer_config.json'), `${JSON.stringify(tokenizerConfig, null, 2)}\n`);
  await writeFile(join(folder, 'special_tokens_map.json'), `${JSON.stringify(specialTokensMap, null, 2)}\n`);
}
