import type { TextEmbedder } from '../cache/encoders.js';
import { textCacheKey } from '../cache/cacheKeys.js';
import type { TensorCache } from '../cache/TensorCache.js';
import { mapLimit } from '../util/mapLimit.js';
import { checkEncoderOutput } from './checkEncoderOutput.js';

/**
 * Make sure every caption has a valid text-embedding entry: look each distinct string up (corrupt entries count as
 * missing), then encode the missing ones `batchSize` at a time — never all at once (diffusers #6362: the script's
 * `map(batched=True)` sends 1000 captions to the GPU). Returns the key of every caption.
 */
export async function precomputeText(
  captions: readonly string[],
  embedder: TextEmbedder,
  cache: TensorCache,
  batchSize: number,
  onProgress?: (done: number, total: number) => void,
): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for (const caption of captions) if (!keys.has(caption)) keys.set(caption, textCacheKey(embedder.id, caption));
  const distinct = [...keys.keys()];
  const found = await mapLimit(distinct, 8, async (caption) => (await cache.lookup(keys.get(caption)!)) !== undefined);
  const missing = distinct.filter((_, i) => !found[i]);
  let done = distinct.length - missing.length;
  onProgress?.(done, distinct.length);
  for (let start = 0; start < missing.length; start += batchSize) {
    const batch = missing.slice(start, start + batchSize);
    const out = await embedder.encode(batch);
    const embeds = checkEncoderOutput(embedder.id, 'prompt embeddings', out?.promptEmbeds, batch.length, [undefined, undefined]);
    const pooled = checkEncoderOutput(embedder.id, 'pooled embeddings', out?.pooled, batch.length, [undefined]);
    await Promise.all(batch.map((caption, i) => cache.store(keys.get(caption)!, { tensors: { promptEmbeds: embeds[i]!, pooled: pooled[i]! }, meta: { caption } })));
    done += batch.length;
    onProgress?.(done, distinct.length);
  }
  return keys;
}
