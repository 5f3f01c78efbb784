import { join } from 'node:path';
import { readCacheEntry, writeCacheEntry, type CacheEntry, type CacheRead } from './CacheEntryFile.js';

/** Counters of one cache over a precompute. */
export interface CacheStats {
  /** Entries found valid and reused. */
  readonly hits: number;
  /** Entries encoded and written (including recovered ones). */
  readonly computed: number;
  /** Entries that were corrupt or truncated on disk and were recomputed. */
  readonly recovered: number;
  /** Size on disk of all entries the dataset uses. */
  readonly bytesOnDisk: number;
}

/**
 * A folder of per-key tensor entries (`<dir>/<ab>/<key>.bin`, checksummed, written atomically), with counters.
 * Keys are SHA-256 hex strings from `textCacheKey` / `latentCacheKey`.
 */
export class TensorCache {
  #hits = 0;
  #computed = 0;
  #recovered = 0;
  #bytes = 0;
  readonly #counted = new Set<string>();

  constructor(readonly dir: string) {}

  /** The file of `key`. */
  path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.bin`);
  }

  /** Read and verify an entry (no counting). */
  read(key: string): Promise<CacheRead> {
    return readCacheEntry(this.path(key), key);
  }

  /** Look an entry up for a precompute: a valid entry counts as a hit, a corrupt one is remembered as recovered. */
  async lookup(key: string): Promise<CacheEntry | undefined> {
    const found = await this.read(key);
    if (found.status === 'hit') {
      this.#count(key, found.bytes, 'hit');
      return found.entry;
    }
    if (found.status === 'corrupt') this.#recovered++;
    return undefined;
  }

  /** Write a freshly computed entry. */
  async store(key: string, entry: CacheEntry): Promise<void> {
    const bytes = await writeCacheEntry(this.path(key), key, entry);
    this.#count(key, bytes, 'computed');
  }

  get stats(): CacheStats {
    return { hits: this.#hits, computed: this.#computed, recovered: this.#recovered, bytesOnDisk: this.#bytes };
  }

  #count(key: string, bytes: number, kind: 'hit' | 'computed'): void {
    if (this.#counted.has(key)) return; // why: two samples sharing a caption share one entry; count it once.
    this.#counted.add(key);
    this.#bytes += bytes;
    if (kind === 'hit') this.#hits++;
    else this.#computed++;
  }
}
