export { CLIPTokenizer, type FromPretrainedOptions } from './CLIPTokenizer.js';
export type { BatchEncoding, EncodeOptions } from './buildBatch.js';
export type { DecodeOptions } from './decodeTokens.js';
export type { CLIPTokenizerFiles } from './CLIPTokenizerFiles.js';
export type { AddedToken } from './resolveSpecialTokens.js';
export { readTokenizerFolder } from './readTokenizerFolder.js';
export { fixText } from './fixText.js';
