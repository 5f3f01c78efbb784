import type { InjectionToken } from './di.js';
import type { ResolvedConfig as ResolvedConfigType } from './config/schema.js';

/** A run config after validation: defaults filled, plugins flattened and ordered, frozen. */
export type ResolvedConfig = ResolvedConfigType;
/** DI token of the run's validated, frozen config. */
export const ResolvedConfig: InjectionToken<ResolvedConfigType> = Symbol.for('@sdxl-trainer/core:ResolvedConfig');

export { DataLoaderFactory } from './data/DataLoader.js';
export { EmaWeights } from './EmaWeights.js';
export { EventBusToken } from './events.js';
export { Logger } from './Logger.js';
export { DenoisingModel } from './objective/DenoisingModel.js';
export { NoiseSchedule } from './objective/NoiseSchedule.js';
export { TimestepSampler } from './objective/TimestepSampler.js';
export { OptimizerFactory } from './optim/Optimizer.js';
