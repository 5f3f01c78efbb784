import * as hfTokenizers from '@huggingface/tokenizers';

/** The part of the library's BPE model this file uses. */
interface HfBpeModel {
  /** Merges one word by rank; the last symbol carries `end_of_word_suffix`. */
  bpe(token: string): string[];
}

/** The library's `models.BPE` constructor, with the config fields of a tokenizer.json BPE model. */
type HfBpeConstructor = new (config: {
  type: 'BPE';
  vocab: Record<string, number>;
  merges: [string, string][];
  end_of_word_suffix: string;
  continuing_subword_suffix: null;
  ignore_merges: boolean;
  unk_token: null;
}) => HfBpeModel;

// why: the package's .d.ts files re-export with extension-less relative paths, which `moduleResolution:
// NodeNext` cannot follow, so TypeScript sees none of its classes; we type the one we use here.
const BPE = (hfTokenizers as unknown as { BPE: HfBpeConstructor }).BPE;

/** How many distinct words {@link ClipBpe} remembers before it starts over (a prompt set rarely has more). */
const WORD_CACHE_SIZE = 65_536;

/**
 * The two special-token spellings transformers' CLIPTokenizer keeps whole (its `bpe` cache is seeded with
 * them): when the CLIP pattern finds one in the text, it becomes that vocabulary entry, without `</w>`.
 */
const WHOLE_WORDS: readonly string[] = ['<|startoftext|>', '<|endoftext|>'];

/**
 * Byte-pair encoding of single CLIP words with `</w>` marking the end of a word, on top of the BPE model of
 * `@huggingface/tokenizers` (merge by rank, as transformers `CLIPTokenizer.bpe`).
 */
export class ClipBpe {
  private readonly model: HfBpeModel;
  private readonly tokenCache = new Map<string, readonly string[]>();

  /**
   * @param vocab token -> id (vocab.json)
   * @param merges merge rules in rank order (merges.txt without its header)
   */
  constructor(vocab: Readonly<Record<string, number>>, merges: readonly (readonly [string, string])[]) {
    this.model = new BPE({
      type: 'BPE',
      vocab: vocab as Record<string, number>,
      merges: merges as [string, string][],
      end_of_word_suffix: '</w>',
      continuing_subword_suffix: null,
      ignore_merges: false,
      unk_token: null,
    });
  }

  /** The BPE tokens of one byte-level word (see `toByteLevel`), e.g. `["hel", "lo</w>"]`. */
  tokens(byteLevelWord: string): readonly string[] {
    const cached = this.tokenCache.get(byteLevelWord);
    if (cached !== undefined) return cached;
    const tokens: readonly string[] = WHOLE_WORDS.includes(byteLevelWord) ? [byteLevelWord] : [...this.model.bpe(byteLevelWord)];
    // why: a bounded memo; the library keeps its own LRU, but ours also skips its per-call bookkeeping.
    if (this.tokenCache.size >= WORD_CACHE_SIZE) this.tokenCache.clear();
    this.tokenCache.set(byteLevelWord, tokens);
    return tokens;
  }
}
