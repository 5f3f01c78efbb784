export { default, NAME } from './vaeSwap.js';
export { vaeSwapOptionsSchema, type ResolvedVaeSwapOptions, type VaeSwapOptions } from './vaeSwapOptions.js';
