/** The two special tokens every CLIP vocabulary ends with. */
export const CLIP_SPECIAL_TOKENS = ['<|startoftext|>', '<|endoftext|>'] as const;

/** What a CLIP BPE tokenizer folder's `vocab.json` and `merges.txt` hold. */
export interface ClipVocabulary {
  /** Token → id, in id order. */
  readonly vocab: Readonly<Record<string, number>>;
  /** Merge rules in rank order, each `[left, right]`. */
  readonly merges: readonly (readonly [string, string])[];
}

/**
 * The byte-level base symbols in CLIP's vocabulary order (transformers' `bytes_to_unicode().values()`): the 188
 * printable Latin-1 bytes (0x21–0x7E, 0xA1–0xAC, 0xAE–0xFF) as themselves, then the other 68 bytes, in byte order,
 * as U+0100, U+0101, … So `!` is id 0, as in SDXL's tokenizers.
 */
export function byteLevelSymbols(): string[] {
  const printable: string[] = [];
  const others: string[] = [];
  let next = 0x100;
  for (let byte = 0; byte < 256; byte += 1) {
    const isPrintable = (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
    if (isPrintable) printable.push(String.fromCharCode(byte));
    else others.push(String.fromCharCode(next++));
  }
  return [...printable, ...others];
}

/**
 * A CLIP vocabulary laid out as openai/CLIP's `SimpleTokenizer` builds it: the 256 byte symbols, the same 256 with
 * `</w>`, one token per merge (in merge order), then `<|startoftext|>` and `<|endoftext|>`.
 */
export function clipVocabulary(merges: readonly (readonly [string, string])[]): ClipVocabulary {
  const base = byteLevelSymbols();
  const tokens = [...base, ...base.map((symbol) => `${symbol}</w>`), ...merges.map(([left, right]) => left + right), ...CLIP_SPECIAL_TOKENS];
  const vocab: Record<string, number> = {};
  tokens.forEach((token, id) => {
    if (token in vocab) throw new RangeError(`clipVocabulary: token ${JSON.stringify(token)} appears twice (ids ${vocab[token]} and ${id}); merges must make new tokens`);
    vocab[token] = id;
  });
  return { vocab, merges };
}

/** `merges.txt` as transformers reads it: a version header line, then one `left right` rule per line. */
export function mergesText(merges: readonly (readonly [string, string])[]): string {
  return ['#version: 0.2', ...merges.map(([left, right]) => `${left} ${right}`)].join('\n') + '\n';
}
