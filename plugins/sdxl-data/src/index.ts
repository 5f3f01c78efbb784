export { sdxlData as default, sdxlData, NAME } from './sdxlData.js';
export { sdxlDataOptionsSchema, type ResolvedSdxlDataOptions, type SdxlDataOptions } from './sdxlDataOptions.js';
export { CaptionedSource } from './CaptionedSource.js';
export { defaultPrecomputeCacheDir } from './defaultPrecomputeCacheDir.js';
