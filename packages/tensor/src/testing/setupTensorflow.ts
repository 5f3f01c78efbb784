// Test helper: the tensorflow backend from a linked build (sdxl-train backend link), once per process.
import '@tensorflow/tfjs-backend-cpu';
import { initBackend, type BackendReport } from '../initBackend.js';
import { linkedBuildsDir } from '../link/linkedBuildsDir.js';

let ready: Promise<BackendReport | undefined> | undefined;

/** True when the tensorflow tests must run: SDXL_TEST_BACKEND=tensorflow(-gpu) or SDXL_REQUIRE_TENSORFLOW=1 (CI with a wheel). */
export function tensorflowRequired(): boolean {
  return /^tensorflow/.test(process.env['SDXL_TEST_BACKEND'] ?? '') || process.env['SDXL_REQUIRE_TENSORFLOW'] === '1';
}

/**
 * Starts the tensorflow backend (linked build first, then an installed @tensorflow/tfjs-node) with this
 * package's kernels, or returns undefined after saying loudly on stderr why its tests do not run.
 * When {@link tensorflowRequired}, a missing backend throws instead.
 */
export function setupTensorflow(): Promise<BackendReport | undefined> {
  ready ??= (async () => {
    const backend = process.env['SDXL_TEST_BACKEND'] === 'tensorflow-gpu' ? 'tensorflow-gpu' : 'tensorflow';
    try {
      return await initBackend({ backend });
    } catch (error) {
      if (tensorflowRequired()) throw error;
      process.stderr.write(
        `\n*** TENSORFLOW BACKEND TESTS NOT RUN: no linked TensorFlow in ${linkedBuildsDir()} and no @tensorflow/tfjs-node ` +
          `(${error instanceof Error ? error.message.split('\n')[0] : String(error)}). Build one with ` +
          '`sdxl-train backend link tensorflow --from <python env | libtensorflow folder | wheel>`; ' +
          'set SDXL_REQUIRE_TENSORFLOW=1 to make its absence fail. ***\n\n',
      );
      return undefined;
    }
  })();
  return ready;
}
