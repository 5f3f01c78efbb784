import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelFunc, ResizeNearestNeighborGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * For each output row (or column) of a nearest-neighbour resize from `inSize` to `outSize`, the input
 * row it copies, with the rounding of tfjs's forward `ResizeNearestNeighbor` (alignCorners rounds,
 * otherwise floor; halfPixelCenters samples at r + 0.5).
 */
export function nearestSourceIndex(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Int32Array {
  const ratio = alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
  const src = new Int32Array(outSize);
  for (let r = 0; r < outSize; r++) {
    const frac = halfPixelCenters ? ratio * (r + 0.5) : ratio * r;
    let nearest = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    if (halfPixelCenters) nearest = Math.max(0, nearest);
    src[r] = nearest;
  }
  return src;
}

/**
 * cpu `ResizeNearestNeighborGrad` as the exact adjoint of the forward resize: every dy pixel is added
 * to the input pixel the forward copied it from.
 * why: the stock cpu kernel indexes dy with the image's batch stride, so every batch item after the
 * first gets a wrong gradient (tfjs-backend-cpu 4.22 `ResizeNearestNeighborGrad.ts`; backend.md §1).
 */
export const cpuResizeNearestNeighborGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { images, dy } = inputs as { images: TensorInfo; dy: TensorInfo };
  const { alignCorners, halfPixelCenters } = attrs as unknown as ResizeNearestNeighborGradAttrs;
  const [batch, inH, inW, depth] = images.shape as [number, number, number, number];
  const [, outH, outW] = dy.shape as [number, number, number, number];
  const rows = nearestSourceIndex(inH, outH, alignCorners, halfPixelCenters);
  const cols = nearestSourceIndex(inW, outW, alignCorners, halfPixelCenters);
  const g = (backend as KernelBackend).readSync(dy.dataId) as Float32Array;
  const dx = new Float32Array(batch * inH * inW * depth);
  let s = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outH; r++) {
      const rowBase = (b * inH + (rows[r] as number)) * inW;
      for (let c = 0; c < outW; c++) {
        const o = (rowBase + (cols[c] as number)) * depth;
        for (let d = 0; d < depth; d++) dx[o + d] = (dx[o + d] as number) + (g[s++] as number);
      }
    }
  }
  return tf.tensor4d(dx, [batch, inH, inW, depth]);
};
