import type { ResolvedConfig } from '../config/schema.js';
import type { TrainerPlugin } from '../plugin.js';
import { defaultFlow } from './defaultFlow.js';
import { defaultProviders } from './providers.js';
import { gradientClipping } from './gradientClipping.js';
import { progress } from './progress.js';
import { stepLogging } from './stepLogging.js';

/**
 * The built-in behaviour, as plugins over the same hooks users get (webpack's WebpackOptionsApply):
 * default providers (uniform timesteps, AdamW, the data loader), the log/checkpoint/validation cadence,
 * gradient clipping when `maxGradNorm` is set, progress events and step logging.
 */
export const applyDefaults = {
  plugins(config: ResolvedConfig): TrainerPlugin[] {
    return [
      defaultProviders(),
      defaultFlow(config),
      ...(config.maxGradNorm === null ? [] : [gradientClipping(config.maxGradNorm)]),
      progress(),
      stepLogging(),
    ];
  },
};
