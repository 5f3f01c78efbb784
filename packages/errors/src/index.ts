export { ErrorCode } from './codes.js';
export { SdxlError, isSdxlError, type SdxlErrorOptions } from './SdxlError.js';
