/**
 * Learns byte-pair-encoding merges from a word list (Sennrich et al. 2016, arXiv 1508.07909; the `</w>` end-of-word
 * marker as openai/CLIP's vocabulary has it): every word starts as its characters with `</w>` on the last one; the
 * most frequent adjacent pair is merged everywhere, `maxMerges` times or until no pair is left. Ties go to the pair
 * that sorts first, so the result depends only on the words. A pair whose merged token already exists is skipped, so
 * every merge adds a new token. Words must be lower-case ASCII letters (what CLIP's pre-tokenizer keeps of a caption).
 */
export function learnBpeMerges(words: readonly string[], maxMerges: number): Array<[string, string]> {
  const counts = new Map<string, number>();
  for (const word of words) {
    if (!/^[a-z]+$/.test(word)) throw new RangeError(`learnBpeMerges: ${JSON.stringify(word)} is not a lower-case ASCII word`);
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const entries = [...counts].map(([word, count]) => ({ symbols: spell(word), count }));
  const made = new Set(entries.flatMap((entry) => entry.symbols));
  const merges: Array<[string, string]> = [];
  while (merges.length < maxMerges) {
    const pairs = new Map<string, number>();
    for (const { symbols, count } of entries) {
      for (let i = 0; i + 1 < symbols.length; i += 1) {
        const key = `${symbols[i]} ${symbols[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    }
    const best = [...pairs]
      .filter(([key]) => !made.has(key.replace(' ', '')))
      .sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0))[0];
    if (best === undefined) break;
    const [left, right] = best[0].split(' ') as [string, string];
    merges.push([left, right]);
    made.add(left + right);
    for (const entry of entries) entry.symbols = mergePair(entry.symbols, left, right);
  }
  return merges;
}

function spell(word: string): string[] {
  const chars = [...word];
  chars[chars.length - 1] += '</w>';
  return chars;
}

function mergePair(symbols: readonly string[], left: string, right: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i += 1) {
    if (i + 1 < symbols.length && symbols[i] === left && symbols[i + 1] === right) {
      out.push(left + right);
      i += 1;
    } else {
      out.push(symbols[i]!);
    }
  }
  return out;
}
