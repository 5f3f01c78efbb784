export { default, NAME } from './sdxlVae.js';
export { sdxlVaeOptionsSchema, type ResolvedSdxlVaeOptions, type SdxlVaeOptions } from './sdxlVaeOptions.js';
export { VaeLatentEncoder, type VaeLatentEncoderOptions } from './VaeLatentEncoder.js';
export { contentSeededNoise, type LatentNoise } from './contentSeededNoise.js';
export { latentEncoderId, type LatentEncoderIdParts } from './latentEncoderId.js';
