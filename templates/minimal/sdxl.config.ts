import { defineConfig } from '@sdxl-trainer/core';
import { circleData } from './src/circleData.js';
import { ddpmSchedule } from './src/ddpmSchedule.js';
import { tinyDenoiser } from './src/tinyDenoiser.js';

// The smallest run: a run needs a dataset, a noise schedule and a model, and each comes from a plugin. Here they are
// points on a circle, SDXL's DDPM schedule and a tiny MLP; the SDXL preset puts the SDXL UNet, VAE, text encoders
// and image data in the same three places.
export default defineConfig({
  seed: 42,
  backend: 'cpu',
  outputDir: 'output',
  trainBatchSize: 64,
  maxTrainSteps: 400,
  learningRate: 3e-3,
  lrScheduler: 'cosine',
  lrWarmupSteps: 20,
  checkpointingSteps: null,
  plugins: [circleData(), ddpmSchedule(), tinyDenoiser()],
});
