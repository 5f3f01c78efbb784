import * as tf from '@tensorflow/tfjs-core';

/**
 * Pads (positive) or crops (negative) the spatial axes 1 and 2 of an NHWC tensor:
 * `[top, bottom, left, right]`, each may be negative.
 */
export function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const cropT = Math.max(0, -top);
  const cropB = Math.max(0, -bottom);
  const cropL = Math.max(0, -left);
  const cropR = Math.max(0, -right);
  let y = x;
  if (cropT + cropB + cropL + cropR > 0) {
    y = tf.slice(x, [0, cropT, cropL, 0], [n, h - cropT - cropB, w - cropL - cropR, c]);
  }
  const padT = Math.max(0, top);
  const padB = Math.max(0, bottom);
  const padL = Math.max(0, left);
  const padR = Math.max(0, right);
  if (padT + padB + padL + padR > 0) {
    y = tf.pad(y, [
      [0, 0],
      [padT, padB],
      [padL, padR],
      [0, 0],
    ]);
  }
  return y === x ? tf.clone(x) : y;
}
