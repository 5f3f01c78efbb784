import { defineConfig } from '@sdxl-trainer/core';

export default defineConfig(async (env) => ({
  outputDir: `out-${env.command}`,
  maxTrainSteps: 3,
}));
