export { sdxlTextEncoding as default, sdxlTextEncoding, NAME, EMPTY_PROMPT_FRACTION } from './sdxlTextEncoding.js';
export { sdxlTextEncodingOptionsSchema, type ResolvedSdxlTextEncodingOptions, type SdxlTextEncodingOptions } from './sdxlTextEncodingOptions.js';
export { SdxlTextEmbedder, type SdxlPromptTensors, type SdxlTextComponents } from './SdxlTextEmbedder.js';
export { loadSdxlTextEmbedder, TEXT_COMPONENTS, type LoadTextEmbedderOptions } from './loadSdxlTextEmbedder.js';
export { EMPTY_PROMPT_STREAM, isPromptDropped } from './isPromptDropped.js';
export { dropMask, zeroDroppedConditioning } from './zeroDroppedConditioning.js';
