import { dirname, join } from 'node:path';
import { defineConfig } from '@sdxl-trainer/core';
import { sdxlPreset } from '@sdxl-trainer/preset-sdxl';
// The generators of the tiny dataset and model. They live in sdxl-trainer's tiny-shapes example for now and are to
// move to a package of their own; see README.md.
import { prepareTinyShapes } from '@sdxl-trainer/tiny-shapes';

// Fine-tunes a tiny SDXL-architecture model on a small captioned shapes dataset, with the same plugins as diffusers'
// train_text_to_image_sdxl.py. Both are made offline, once, under .cache/. README.md says how to train real SDXL.
const RESOLUTION = 64;

export default defineConfig(async ({ configFile }) => {
  const here = dirname(configFile);
  const { dataDir, pipelineDir, precomputeDir } = await prepareTinyShapes({ cacheDir: join(here, '.cache'), count: 48, resolution: RESOLUTION, seed: 0 });
  return {
    seed: 42,
    // wasm runs everywhere; 'auto' picks a native TensorFlow when one is linked (npx sdxl-train backend info)
    backend: 'wasm',
    threads: 1,
    outputDir: join(here, 'output'),
    trainBatchSize: 4,
    maxTrainSteps: 300,
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
        useEma: true,
        checkpointsTotalLimit: 2,
        validationPrompt: 'a red circle on a white background',
        numValidationImages: 2,
        validationSteps: 20,
      }),
    ],
  };
});
