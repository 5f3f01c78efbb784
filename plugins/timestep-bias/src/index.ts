export { timestepBias as default, timestepBias } from './timestepBias.js';
export { generateTimestepWeights } from './generateTimestepWeights.js';
export { TimestepBiasSampler } from './TimestepBiasSampler.js';
export {
  TIMESTEP_BIAS_STRATEGIES,
  timestepBiasOptionsSchema,
  type ResolvedTimestepBiasOptions,
  type TimestepBiasOptions,
  type TimestepBiasStrategy,
} from './timestepBiasOptions.js';
