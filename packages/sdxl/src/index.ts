export { SDXL_COMPONENTS, sdxlModelSources, type SdxlComponent } from './components.js';
export { SdxlSampleKey } from './sampleKeys.js';
export { addTimeIds } from './addTimeIds.js';
export { getSdxlHooks, type CaptionContext, type SdxlConditioning, type SdxlHooks } from './conditioning.js';
export { LatentEncoder, TextEmbedder } from './tokens.js';
export { folderFingerprint } from './folderFingerprint.js';
