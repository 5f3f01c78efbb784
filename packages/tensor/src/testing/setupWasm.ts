// Test helper: wasm (single-threaded, with this package's kernels) and cpu (stock kernels) side by side.
import '@tensorflow/tfjs-backend-cpu';
import { installWasmBackend } from '../installWasmBackend.js';
import { registerGradients } from '../registerGradients.js';
import { registerWasmKernels } from '../registerWasmKernels.js';

let ready: Promise<void> | undefined;

/** Loads the single-threaded wasm backend, this package's wasm kernels and tfjs-core's gradients, once per process. */
export function setupWasm(): Promise<void> {
  ready ??= (async () => {
    await registerGradients();
    await installWasmBackend({ threads: 1 });
    registerWasmKernels();
  })();
  return ready;
}
