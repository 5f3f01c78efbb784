import { dirname, join } from 'node:path';
import { defineConfig } from '@sdxl-trainer/core';
import { sdxlPreset } from '@sdxl-trainer/preset-sdxl';
import { prepareTinyShapes } from '@sdxl-trainer/tiny-shapes';

// The embedded default run: make a captioned shapes dataset and a tiny SDXL-architecture pipeline (once, under
// .cache/), then fine-tune its UNet offline on the wasm backend with the SDXL preset.
const RESOLUTION = 64;

export default defineConfig(async ({ configFile }) => {
  const here = dirname(configFile);
  const { dataDir, pipelineDir, precomputeDir } = await prepareTinyShapes({ cacheDir: join(here, '.cache'), count: 48, resolution: RESOLUTION, seed: 0 });
  return {
    seed: 42,
    backend: 'wasm',
    threads: 1, // why: measured — on a busy 2-core machine a second wasm thread mostly waits
    outputDir: join(here, 'output'),
    trainBatchSize: 4,
    maxTrainSteps: 300, // 25 epochs of 48 images
    learningRate: 1e-3,
    lrScheduler: 'cosine',
    lrWarmupSteps: 20,
    checkpointingSteps: 150,
    validationEpochs: 5,
    plugins: [
      sdxlPreset({
        pretrainedModelNameOrPath: pipelineDir,
        trainDataDir: dataDir,
        resolution: RESOLUTION,
        randomFlip: true,
        precomputeCacheDir: precomputeDir,
        validationPrompt: 'a red circle on a white background',
        numValidationImages: 2,
        validationSteps: 20,
        useEma: true,
        checkpointsTotalLimit: 2,
        // why a folder per run: TensorBoard then shows each `npm start` as its own run instead of mixing their steps
        loggingDir: join('logs', new Date().toISOString().replace(/[:.]/g, '-')),
      }),
    ],
  };
});
