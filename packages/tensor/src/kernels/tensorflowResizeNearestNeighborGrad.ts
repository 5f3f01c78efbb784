import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, ResizeNearestNeighborGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { asTensor } from './asTensor.js';
import { nearestSourceIndex } from './cpuResizeNearestNeighborGrad.js';
import { kernelError } from './kernelError.js';
import { stockKernel } from './replaceKernel.js';

/**
 * tensorflow `ResizeNearestNeighborGrad` that is the adjoint of the forward resize for every attribute.
 * With halfPixelCenters, every dy pixel is added to the input pixel the forward copied it from, as one
 * TensorFlow `UnsortedSegmentSum` over flat pixel indices; otherwise TensorFlow's own kernel runs.
 * why: TensorFlow 2.21's CPU kernel with half_pixel_centers sends the gradient to other pixels than the
 * forward read whenever the scale is not an integer upsampling (e.g. 5→3: rows 0, 1, 3 instead of 0, 2, 4;
 * 53 of 126 half-pixel cases up to 8→16 wrong, all 126 others right).
 */
export const tensorflowResizeNearestNeighborGrad: KernelFunc = (args) => {
  const { alignCorners, halfPixelCenters } = args.attrs as unknown as ResizeNearestNeighborGradAttrs;
  if (!halfPixelCenters) {
    const stock = stockKernel('ResizeNearestNeighborGrad', 'tensorflow');
    if (stock === undefined) throw kernelError('ResizeNearestNeighborGrad', 'tensorflow', 'no tfjs-node kernel to call (is @tensorflow/tfjs-node loaded?)');
    return stock.kernelFunc(args);
  }
  const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
  const [n, inH, inW, depth] = images.shape as [number, number, number, number];
  const [, outH, outW] = dy.shape as [number, number, number, number];
  const rows = nearestSourceIndex(inH, outH, alignCorners, true);
  const cols = nearestSourceIndex(inW, outW, alignCorners, true);
  const ids = new Int32Array(n * outH * outW);
  let i = 0;
  for (let b = 0; b < n; b++)
    for (let r = 0; r < outH; r++)
      for (let c = 0; c < outW; c++) ids[i++] = (b * inH + (rows[r] as number)) * inW + (cols[c] as number);
  return tf.tidy(() =>
    tf.reshape(tf.unsortedSegmentSum(tf.reshape(asTensor(dy, args.backend), [n * outH * outW, depth]), tf.tensor1d(ids, 'int32'), n * inH * inW), [n, inH, inW, depth]),
  );
};
