import { conv2dBackpropFilterTaps } from './kernels/conv2dBackpropFilterTaps.js';
import { cpuResizeNearestNeighborGrad } from './kernels/cpuResizeNearestNeighborGrad.js';
import { replaceKernel, restoreKernel } from './kernels/replaceKernel.js';

/** The cpu kernels {@link registerCpuKernels} installs, with why each is replaced (backend.md §1–2). */
export const CPU_KERNEL_REPLACEMENTS = {
  ResizeNearestNeighborGrad: 'stock kernel gives wrong gradients for batch > 1 (indexes dy with the image batch stride)',
  Conv2DBackpropFilter: 'stock kernel is ~85x slower than the forward conv; replaced by one matmul per filter tap',
} as const;

/** Installs this package's cpu kernels (see {@link CPU_KERNEL_REPLACEMENTS}). Idempotent. */
export function registerCpuKernels(): void {
  replaceKernel('ResizeNearestNeighborGrad', 'cpu', cpuResizeNearestNeighborGrad);
  replaceKernel('Conv2DBackpropFilter', 'cpu', conv2dBackpropFilterTaps('cpu'));
}

/** Puts the stock cpu kernels back (for comparisons and benchmarks). */
export function unregisterCpuKernels(): void {
  for (const name of Object.keys(CPU_KERNEL_REPLACEMENTS)) restoreKernel(name, 'cpu');
}
