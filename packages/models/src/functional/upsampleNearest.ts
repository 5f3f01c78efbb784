import * as tf from '@tensorflow/tfjs-core';

/**
 * Nearest-neighbour upsampling of NHWC x to `size` [H', W'] (default 2H × 2W), as
 * `F.interpolate(x, size | scale_factor=2, mode="nearest")`: output pixel (i, j) reads input (⌊i·H/H'⌋, ⌊j·W/W'⌋).
 *
 * why two broadcasts for 2×: tf.image.resizeNearestNeighbor's gradient is wrong on the stock cpu backend for batch > 1
 * (research/backend.md §1), and broadcastTo is a Tile whose gradient works up to rank 4, so each step stays rank 4.
 * Other sizes (odd UNet inputs, diffusers' `upsample_size`) use resizeNearestNeighbor with PyTorch's legacy index rule.
 */
export function upsampleNearest(x: tf.Tensor4D, size?: readonly [number, number]): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [outH, outW] = size ?? [2 * h, 2 * w];
  if (outH === 2 * h && outW === 2 * w) {
    return tf.tidy(() => {
      const wide = tf.reshape(tf.broadcastTo(tf.reshape(x, [n * h, w, 1, c]), [n * h, w, 2, c]), [n, h, 1, 2 * w * c]);
      return tf.reshape(tf.broadcastTo(wide, [n, h, 2, 2 * w * c]), [n, outH, outW, c]);
    });
  }
  // why: alignCorners=false, halfPixelCenters=false is floor(dst·in/out), PyTorch's "nearest".
  return tf.image.resizeNearestNeighbor(x, [outH, outW], false, false);
}
