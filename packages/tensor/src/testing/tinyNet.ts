// Test helper: a small conv + GroupNorm + linear + upsample net, parameters as plain tensors.
import * as tf from '@tensorflow/tfjs-core';
import { groupNorm } from '../groupNorm.js';
import { seeded } from './reference.js';

/** Parameter shapes of {@link tinyNet}. */
export const TINY_NET_SHAPES: Record<string, number[]> = {
  conv1: [3, 3, 4, 8],
  conv1b: [8],
  gnGamma: [8],
  gnBeta: [8],
  down: [3, 3, 8, 8],
  lin: [8, 8],
  linB: [8],
  conv2: [3, 3, 8, 4],
  short: [1, 1, 4, 4],
};

/** Deterministic initial values for {@link TINY_NET_SHAPES}, scaled like a fan-in init. */
export function tinyNetInit(): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  let seed = 100;
  for (const [name, shape] of Object.entries(TINY_NET_SHAPES)) {
    const size = shape.reduce((p, d) => p * d, 1);
    const fanIn = shape.length > 1 ? shape.slice(0, -1).reduce((p, d) => p * d, 1) : 4;
    out[name] = seeded(size, seed++).map((v) => (name === 'gnGamma' ? 1 + 0.1 * v : v / Math.sqrt(fanIn)));
  }
  return out;
}

/**
 * conv3x3 → GroupNorm → SiLU → stride-2 conv (PyTorch padding) → linear over channels (rank-3 matmul)
 * → nearest 2x upsample → conv3x3, plus a 1x1 shortcut; input [N, H, W, 4], output the same shape.
 */
export function tinyNet(x: tf.Tensor4D, p: Record<string, tf.Tensor>): tf.Tensor4D {
  const [n, h, w] = x.shape;
  let y = tf.add(tf.conv2d(x, p['conv1'] as tf.Tensor4D, 1, 'same'), p['conv1b']!) as tf.Tensor4D;
  y = groupNorm(y, 2, p['gnGamma'] as tf.Tensor1D, p['gnBeta'] as tf.Tensor1D, 1e-5);
  y = tf.mul(y, tf.sigmoid(y));
  y = tf.conv2d(y, p['down'] as tf.Tensor4D, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]);
  const [, h2, w2, c] = y.shape;
  const lin = tf.add(tf.matMul(tf.reshape(y, [n, h2 * w2, c]), tf.tile(tf.reshape(p['lin']!, [1, c, c]), [n, 1, 1]) as tf.Tensor3D), p['linB']!);
  y = tf.reshape(lin, [n, h2, w2, c]) as tf.Tensor4D;
  y = tf.image.resizeNearestNeighbor(y, [h, w]);
  y = tf.conv2d(y, p['conv2'] as tf.Tensor4D, 1, 'same');
  return tf.add(y, tf.conv2d(x, p['short'] as tf.Tensor4D, 1, 'valid')) as tf.Tensor4D;
}
