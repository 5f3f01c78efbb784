export { default } from './ema.js';
export { emaOptionsSchema, type EmaOptions, type ResolvedEmaOptions } from './emaOptions.js';
export { emaDecay, type EmaDecaySchedule } from './emaDecay.js';
export { ExponentialMovingAverage, type EmaState } from './ExponentialMovingAverage.js';
export { getEma } from './getEma.js';
