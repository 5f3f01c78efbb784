import { DataLoaderFactory, type InjectionToken, type Trainer, type TrainerPlugin } from '@sdxl-trainer/core';
import {
  openImageSource,
  precomputeSdxlDataset,
  SdxlPixelDataset,
  streamingDataLoaderFactory,
  type ImageSource,
  type PrecomputeSummary,
  type TransformOptions,
} from '@sdxl-trainer/data';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { getSdxlHooks, LatentEncoder, TextEmbedder } from '@sdxl-trainer/sdxl';
import { CaptionedSource } from './CaptionedSource.js';
import { defaultPrecomputeCacheDir } from './defaultPrecomputeCacheDir.js';
import { parseSdxlDataOptions, type SdxlDataOptions } from './sdxlDataOptions.js';

/** The plugin's name: its tap name everywhere. */
export const NAME = '@sdxl-trainer/plugin-sdxl-data';

declare module '@sdxl-trainer/core' {
  interface TrainerEventMap {
    /** Precompute progress: distinct captions (`text`) or images (`latents`) done so far. */
    'sdxl-data:precompute-progress': { readonly phase: 'text' | 'latents'; readonly done: number; readonly total: number };
    /** The precompute finished: cache hits, computed entries, size on disk, skipped rows, and where the cache is. */
    'sdxl-data:precomputed': { readonly summary: PrecomputeSummary; readonly cacheDir: string };
  }
}

/** What the precompute needs from other plugins, and the plugin that usually provides it. */
const REQUIRED: readonly { token: InjectionToken<unknown>; what: string; provider: string }[] = [
  { token: TextEmbedder, what: 'a text embedder', provider: '@sdxl-trainer/plugin-sdxl-text-encoding' },
  { token: LatentEncoder, what: 'a latent encoder', provider: '@sdxl-trainer/plugin-sdxl-vae' },
];

/**
 * The SDXL script's training data as a plugin: opens --dataset_name / --train_data_dir in prepareDataset (captions
 * through the SDXL caption hook), precomputes text embeddings and VAE latents into on-disk caches keyed by content
 * and model identity in precompute (the script's `encode_prompt` + `compute_vae_encodings` maps), and trains from
 * them with the resumable streaming loader. Every latent carries the crop and flip that made it.
 */
export function sdxlData(options: SdxlDataOptions): TrainerPlugin {
  const o = parseSdxlDataOptions(NAME, options);
  const transform: TransformOptions = { resolution: o.resolution, centerCrop: o.centerCrop, randomFlip: o.randomFlip, interpolation: o.imageInterpolationMode, resampler: o.resampler };
  return {
    name: NAME,
    apply(trainer) {
      let source: ImageSource | undefined;
      let pixels: SdxlPixelDataset | undefined;

      trainer.hooks.environment.tap(NAME, () => {
        const concurrency = o.dataloaderNumWorkers === undefined ? undefined : Math.max(1, o.dataloaderNumWorkers);
        trainer.container.register(DataLoaderFactory, { useValue: streamingDataLoaderFactory({ prefetch: o.prefetch, concurrency }) });
      });
      trainer.hooks.configResolved.tap(NAME, () => {
        // why: encoders are registered while models load, after this hook; a provider counts if it is registered already or its plugin is present.
        for (const need of REQUIRED) {
          if (!trainer.container.isRegistered(need.token, true) && !trainer.plugins.some((p) => p.name === need.provider)) throw missingProvider(need, 'configResolved');
        }
      });
      trainer.hooks.prepareDataset.tapPromise(NAME, async (previous) => {
        if (previous.size > 0) trainer.logger.warn(`${NAME} replaces the ${previous.size} samples an earlier plugin provided`);
        const opened = await openImageSource({
          datasetName: o.datasetName,
          datasetConfigName: o.datasetConfigName,
          trainDataDir: o.trainDataDir,
          imageColumn: o.imageColumn,
          captionColumn: o.captionColumn,
          maxTrainSamples: o.maxTrainSamples,
          seed: trainer.state.seed,
          cacheDir: o.cacheDir,
          onBadSample: o.onBadSample,
        });
        source = withCaptionHook(trainer, opened);
        trainer.logger.info(`training data: ${source.size} rows of ${source.description}`);
        pixels = new SdxlPixelDataset(source, { transform, seed: trainer.state.seed });
        return pixels;
      });
      trainer.hooks.precompute.tapPromise(NAME, async (dataset) => {
        if (!source) throw new SdxlError(ErrorCode.TRAINER_STATE_INVALID, `${NAME}: precompute ran before prepareDataset opened the source`, { plugin: NAME, hook: 'precompute' });
        if (dataset !== pixels) trainer.logger.warn(`${NAME} precomputes from the source it opened; what later prepareDataset taps changed is not seen`);
        const [textEmbedder, latentEncoder] = [resolveProvider(trainer, TextEmbedder, 0), resolveProvider(trainer, LatentEncoder, 1)];
        const cacheDir = o.precomputeCacheDir ?? defaultPrecomputeCacheDir();
        trainer.logger.info(`precompute cache: ${cacheDir}`);
        const { dataset: latents, summary } = await precomputeSdxlDataset({
          source,
          textEmbedder,
          latentEncoder,
          cacheDir,
          transform,
          seed: trainer.state.seed,
          augmentationVariants: o.augmentationVariants,
          textBatchSize: o.textBatchSize,
          latentBatchSize: o.latentBatchSize ?? trainer.config.trainBatchSize,
          onBadSample: o.onBadSample,
          logger: trainer.logger,
          onProgress: (progress) => trainer.emit('sdxl-data:precompute-progress', progress),
        });
        trainer.emit('sdxl-data:precomputed', { summary, cacheDir });
        return latents;
      });
    },
  };
}

/** The source with each row's caption passed once through `getSdxlHooks(trainer).caption` (when anything taps it). */
function withCaptionHook(trainer: Trainer, source: ImageSource): ImageSource {
  const hook = getSdxlHooks(trainer).caption;
  if (!hook.isUsed()) return source;
  const seed = trainer.state.seed;
  return new CaptionedSource(source, (cell, row, origin) => hook.call(cell, { row, origin, seed }));
}

function resolveProvider<T>(trainer: Trainer, token: InjectionToken<T>, index: number): T {
  const need = REQUIRED[index]!;
  if (!trainer.container.isRegistered(token, true)) throw missingProvider(need, 'precompute');
  return trainer.container.resolve(token);
}

function missingProvider(need: (typeof REQUIRED)[number], hook: string): SdxlError {
  return new SdxlError(ErrorCode.PLUGIN_MISSING_DEPENDENCY, `plugin ${NAME} requires ${need.what} (add ${need.provider}, or a plugin that registers its token)`, {
    plugin: NAME,
    hook,
    details: { requires: need.provider },
  });
}
