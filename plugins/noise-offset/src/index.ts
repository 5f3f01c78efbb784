export { noiseOffset as default, noiseOffset } from './noiseOffset.js';
export { offsetNoise } from './offsetNoise.js';
export { noiseOffsetOptionsSchema, type NoiseOffsetOptions } from './noiseOffsetOptions.js';
