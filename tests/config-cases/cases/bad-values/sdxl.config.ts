import { defineConfig } from '@sdxl-trainer/core';

export default defineConfig({
  // @ts-expect-error a string where a number belongs, as a hand-edited config might have
  trainBatchSize: '8',
  gradientAccumulationSteps: 0,
  // @ts-expect-error not a schedule diffusers knows
  lrScheduler: 'one_cycle',
  adamBeta1: 1.5,
});
