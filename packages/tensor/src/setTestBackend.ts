import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { isBackendName } from './BackendName.js';
import { initBackend } from './initBackend.js';

/**
 * For test suites: the backend named by `SDXL_TEST_BACKEND` (`tensorflow`, `tensorflow-gpu`, `wasm`,
 * `auto`), made active with {@link initBackend} so that a missing one fails the suite loudly; unset or
 * `cpu` is exactly `tf.setBackend('cpu')` (stock kernels, the reference backend). Returns `tf.getBackend()`.
 */
export async function setTestBackend(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const wanted = env['SDXL_TEST_BACKEND'] ?? 'cpu';
  if (wanted === 'cpu' || wanted === '') {
    await tf.setBackend('cpu');
    return tf.getBackend();
  }
  if (!isBackendName(wanted)) {
    throw new SdxlError(ErrorCode.CONFIG_INVALID, `SDXL_TEST_BACKEND must be auto, tensorflow-gpu, tensorflow, wasm or cpu; got ${JSON.stringify(wanted)}`, {
      details: { field: 'SDXL_TEST_BACKEND', value: wanted },
    });
  }
  await initBackend({ backend: wanted });
  return tf.getBackend();
}
