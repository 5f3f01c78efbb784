// Sources: the script's data flags -> rows of (encoded image, caption).
export { openImageSource, type ImageSourceOptions } from './source/openImageSource.js';
export { locateDataset, type DatasetLocation, type HubAccess, type LocateDatasetOptions } from './source/locateDataset.js';
export { selectDataFiles, TRAIN_SPLIT, type DataFileSelection, type SelectDataFilesOptions } from './source/selectDataFiles.js';
export { readmeConfigs, type DatasetCardConfig } from './source/readmeConfigs.js';
export { globToRegExp, matchGlobs } from './source/globToRegExp.js';
export { ParquetImageSource, type ParquetFile, type ParquetSourceOptions } from './source/ParquetImageSource.js';
export { parquetColumns, huggingfaceFeatures, type ColumnKind, type ParquetColumn } from './source/parquetColumns.js';
export { ImageFolderSource, type ImageFolderOptions } from './source/ImageFolderSource.js';
export { isImageFile, isMetadataFile, METADATA_FILES } from './source/imageFiles.js';
export { SubsetSource, selectSamples } from './source/SubsetSource.js';
export { chooseCaption, chooseCaptionIndex } from './source/chooseCaption.js';
export { describeOrigin } from './source/badSample.js';
export type { BadSample, CaptionCell, ImageSource, OnBadSample, SampleOrigin, SourceRecord } from './source/ImageSource.js';

// Images: preprocess_train with exact crop bookkeeping.
export { INTERPOLATION_MODES, parseInterpolationMode, resizePlan, type InterpolationMode, type PilFilter, type Resampler, type ResizePlan } from './image/InterpolationMode.js';
export { transformSettings, type TransformOptions, type TransformSettings } from './image/TransformSettings.js';
export { preprocessImage, type PreprocessedImage } from './image/preprocessImage.js';
export { planAugmentation, type AugmentationPlan, type CropSettings } from './image/AugmentationPlan.js';
export { decodeResized, decodeRgb, probeImage, resizeRgb, type ImageProbe } from './image/decodeImage.js';
export { pilResample, type RawImage } from './image/pilResample.js';
export { cmykToRgb } from './image/cmykToRgb.js';
export { toPixelTensor } from './image/toPixelTensor.js';
export { resizedSize, type Size } from './image/resizedSize.js';
export { pythonRound } from './image/pythonRound.js';

// Caches: per-sample text embeddings and latents on disk.
export type { LatentEncoder, TextEmbedder } from './cache/encoders.js';
export { TensorCache, type CacheStats } from './cache/TensorCache.js';
export { readCacheEntry, writeCacheEntry, type CacheEntry, type CacheRead } from './cache/CacheEntryFile.js';
export { CACHE_FORMAT_VERSION, latentCacheKey, textCacheKey, type LatentKeySettings } from './cache/cacheKeys.js';
export { canonicalJson, sha256Hex } from './cache/hashing.js';

// SDXL samples: precomputed (cached) and on the fly.
export { precomputeSdxlDataset, describeSummary, type PrecomputeOptions, type PrecomputeSummary } from './sdxl/precomputeSdxlDataset.js';
export { SdxlLatentDataset, type LatentVariant, type PrecomputedSample } from './sdxl/SdxlLatentDataset.js';
export { SdxlPixelDataset } from './sdxl/SdxlPixelDataset.js';
export { augmentationRng } from './sdxl/precomputeLatents.js';
export { isEpochAware, type EpochAwareDataset, type SdxlPixelSample, type SdxlSample } from './sdxl/SdxlSample.js';

// Loader: core's DataLoader with prefetch, backpressure and exact resume.
export { StreamingDataLoader, streamingDataLoaderFactory, type LoaderStats, type StreamingLoaderOptions } from './loader/StreamingDataLoader.js';
