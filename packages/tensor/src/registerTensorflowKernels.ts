import { replaceKernel, restoreKernel } from './kernels/replaceKernel.js';
import { tensorflowConvBackprop, tensorflowConvForward } from './kernels/tensorflowConv2d.js';
import { tensorflowResizeNearestNeighborGrad } from './kernels/tensorflowResizeNearestNeighborGrad.js';
import { tensorflowUnsortedSegmentSum } from './kernels/tensorflowUnsortedSegmentSum.js';

/** The tensorflow (tfjs-node) kernels {@link registerTensorflowKernels} installs, with why each is replaced. */
export const TENSORFLOW_KERNEL_REPLACEMENTS = {
  Conv2D: "tfjs-node 4.22 throws for a numeric pad (PyTorch's padding=1); handed on as explicit pairs",
  FusedConv2D: 'same as Conv2D',
  Conv2DBackpropInput: "tfjs-node 4.22 takes only 'same'/'valid': every explicitly padded conv fails its backward; runs TensorFlow's op with padding EXPLICIT",
  Conv2DBackpropFilter: 'same as Conv2DBackpropInput',
  UnsortedSegmentSum: 'TensorFlow fails on ids ≥ numSegments where cpu and wasm drop them; they are dropped',
  ResizeNearestNeighborGrad: 'TensorFlow 2.21 misroutes the gradient with halfPixelCenters unless upsampling by an integer; exact adjoint by segment sum',
} as const;

/**
 * Installs this package's tensorflow kernels (see {@link TENSORFLOW_KERNEL_REPLACEMENTS}) over tfjs-node's.
 * Call it after @tensorflow/tfjs-node(-gpu) has loaded (they call its kernels); idempotent. `initBackend` does.
 */
export function registerTensorflowKernels(): void {
  replaceKernel('Conv2D', 'tensorflow', tensorflowConvForward('Conv2D'));
  replaceKernel('FusedConv2D', 'tensorflow', tensorflowConvForward('FusedConv2D'));
  replaceKernel('Conv2DBackpropInput', 'tensorflow', tensorflowConvBackprop('Conv2DBackpropInput'));
  replaceKernel('Conv2DBackpropFilter', 'tensorflow', tensorflowConvBackprop('Conv2DBackpropFilter'));
  replaceKernel('UnsortedSegmentSum', 'tensorflow', tensorflowUnsortedSegmentSum);
  replaceKernel('ResizeNearestNeighborGrad', 'tensorflow', tensorflowResizeNearestNeighborGrad);
}

/** Puts tfjs-node's own kernels back (for comparisons). */
export function unregisterTensorflowKernels(): void {
  for (const name of Object.keys(TENSORFLOW_KERNEL_REPLACEMENTS)) restoreKernel(name, 'tensorflow');
}
