// Worker for the bench's worker_threads variant: preprocessImage in a worker, pixels transferred back.
import { parentPort } from 'node:worker_threads';
import { Rng } from '@sdxl-trainer/core';
import { planAugmentation } from '../image/AugmentationPlan.js';
import { preprocessImage } from '../image/preprocessImage.js';
import type { TransformSettings } from '../image/TransformSettings.js';

interface Job {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly settings: TransformSettings;
}

parentPort!.on('message', (job: Job) => {
  void preprocessImage(job.bytes, job.settings, (resized) => planAugmentation(resized, job.settings, Rng.fromSeed(job.id))).then((out) => {
    const data = out.pixels.data as Float32Array;
    parentPort!.postMessage({ id: job.id, data }, [data.buffer as ArrayBuffer]);
  });
});
