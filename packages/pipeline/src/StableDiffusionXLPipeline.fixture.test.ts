import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describePipelineParity } from './testing/pipelineParity.js';

// The reference backend: tfjs' stock cpu kernels, as the models package's parity tests.
describePipelineParity('cpu', async () => {
  await tf.setBackend('cpu');
});
