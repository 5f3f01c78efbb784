import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { CacheEntry } from '../cache/CacheEntryFile.js';
import type { TensorCache } from '../cache/TensorCache.js';
import { describeOrigin } from '../source/badSample.js';
import { chooseCaptionIndex } from '../source/chooseCaption.js';
import type { SampleOrigin } from '../source/ImageSource.js';
import type { EpochAwareDataset, SdxlSample } from './SdxlSample.js';

/** One augmentation variant of a sample: its latent entry and the micro-conditioning of exactly that latent. */
export interface LatentVariant {
  readonly key: string;
  readonly originalSize: readonly [number, number];
  readonly cropTopLeft: readonly [number, number];
  readonly flip: boolean;
}

/** What the dataset keeps in memory per sample (the tensors stay on disk). */
export interface PrecomputedSample {
  /** Row in the source. */
  readonly row: number;
  readonly origin: SampleOrigin;
  /** The caption options (one unless the cell was a list) and their text-entry keys. */
  readonly captions: readonly { readonly text: string; readonly key: string }[];
  readonly variants: readonly LatentVariant[];
}

/**
 * The precomputed SDXL training set: cached latents and text embeddings, read from disk (and verified) when a
 * sample is asked for, so memory holds only the index. Epoch `e` uses augmentation variant `e mod variants` and a
 * caption drawn from (seed, row, e) when the row has several.
 */
export class SdxlLatentDataset implements EpochAwareDataset<SdxlSample> {
  constructor(
    readonly samples: readonly PrecomputedSample[],
    private readonly caches: { readonly text: TensorCache; readonly latents: TensorCache },
    private readonly options: { readonly seed: number; readonly resolution: number },
  ) {}

  get size(): number {
    return this.samples.length;
  }

  get(index: number): Promise<SdxlSample> {
    return this.getInEpoch(index, 0);
  }

  async getInEpoch(index: number, epoch: number): Promise<SdxlSample> {
    const sample = this.samples[index];
    if (sample === undefined) throw new RangeError(`sample index ${index} is outside 0..${this.samples.length - 1}`);
    const variant = sample.variants[epoch % sample.variants.length]!;
    const caption = sample.captions[chooseCaptionIndex(sample.captions.length, this.options.seed, sample.row, epoch)]!;
    const [latent, text] = await Promise.all([
      this.#entry(this.caches.latents, variant.key, 'latent', sample.origin),
      this.#entry(this.caches.text, caption.key, `text embedding of "${caption.text.slice(0, 40)}"`, sample.origin),
    ]);
    const { resolution } = this.options;
    return {
      modelInput: latent.tensors['latent']!,
      promptEmbeds: text.tensors['promptEmbeds']!,
      pooledPromptEmbeds: text.tensors['pooled']!,
      originalSize: variant.originalSize,
      cropTopLeft: variant.cropTopLeft,
      targetSize: [resolution, resolution],
      caption: caption.text,
    };
  }

  async #entry(cache: TensorCache, key: string, what: string, origin: SampleOrigin): Promise<CacheEntry> {
    const found = await cache.read(key);
    if (found.status === 'hit') return found.entry;
    const reason = found.status === 'miss' ? 'is missing' : `is corrupt (${found.reason})`;
    throw new SdxlError(ErrorCode.DATA_CACHE_CORRUPT, `the cached ${what} of ${describeOrigin(origin)} ${reason}: ${cache.path(key)}. Run the precompute again; it recomputes damaged entries.`, {
      details: { ...origin, entry: cache.path(key), reason },
    });
  }
}
