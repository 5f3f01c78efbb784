import { defineConfig, type RunConfig } from '@sdxl-trainer/core';
import countSteps from './plugins/countSteps.js';

const useExtra: boolean = false;
const accumulation = 2 satisfies number;

export default defineConfig({
  seed: 42,
  trainBatchSize: 4,
  gradientAccumulationSteps: accumulation,
  lrScheduler: 'cosine',
  lrWarmupSteps: 10,
  plugins: [countSteps({ every: 5 }), useExtra && countSteps({ every: 1 }), [null, undefined]],
} satisfies RunConfig);
