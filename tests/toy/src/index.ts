export { MlpDenoiser, mlpDenoiserPlugin, type MlpDenoiserOptions } from './mlpDenoiser.js';
export { toyDataPlugin, toySamples } from './toyData.js';
export { ddpmPlugin } from './ddpmPlugin.js';
export { CLASSES, FEATURES, cloneSnapshot, maxWeightDifference, recordRun, toyTrainer, type RecordedRun } from './runs.js';
