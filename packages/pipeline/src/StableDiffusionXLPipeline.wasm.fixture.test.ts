import { initBackend } from '@sdxl-trainer/tensor';
import { describePipelineParity } from './testing/pipelineParity.js';

// The backend sdxl-generate picks when no libtensorflow is installed (XNNPACK, replacement kernels); one thread, as
// the second one mostly waits on a busy 2-core machine (see @sdxl-trainer/tensor's README).
describePipelineParity('wasm', async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
});
