export { minSnr as default, minSnr, MIN_SNR_WEIGHT_MEAN } from './minSnr.js';
export { minSnrOptionsSchema, type MinSnrOptions, type ResolvedMinSnrOptions } from './minSnrOptions.js';
export { minSnrWeights, type MinSnrWeightOptions } from './minSnrWeights.js';
export { snrTable } from './snrTable.js';
