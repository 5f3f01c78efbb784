import * as tf from '@tensorflow/tfjs-core';
import { groupNorm } from '../groupNorm.js';

/** SiLU, x·sigmoid(x) (diffusers `nn.SiLU`). */
const silu = (x: tf.Tensor): tf.Tensor => tf.mul(x, tf.sigmoid(x));

/** Parameters of one ResNet block of `c` channels: GN → SiLU → conv3x3 → GN → SiLU → conv3x3, plus x. */
export function resnetParams(c: number, seed: number): tf.Variable[] {
  return tf.tidy(() => [
    tf.variable(tf.ones([c])),
    tf.variable(tf.zeros([c])),
    tf.variable(tf.randomNormal([3, 3, c, c], 0, 1 / Math.sqrt(9 * c), 'float32', seed)),
    tf.variable(tf.ones([c])),
    tf.variable(tf.zeros([c])),
    tf.variable(tf.randomNormal([3, 3, c, c], 0, 1 / Math.sqrt(9 * c), 'float32', seed + 1)),
  ]);
}

/** The block itself, with every parameter an argument (as `checkpoint` needs). */
export function resnetBlock(x: tf.Tensor, g1: tf.Tensor, b1: tf.Tensor, w1: tf.Tensor, g2: tf.Tensor, b2: tf.Tensor, w2: tf.Tensor): tf.Tensor {
  let h = silu(groupNorm(x as tf.Tensor4D, 32, g1 as tf.Tensor1D, b1 as tf.Tensor1D));
  h = tf.conv2d(h as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same');
  h = silu(groupNorm(h as tf.Tensor4D, 32, g2 as tf.Tensor1D, b2 as tf.Tensor1D));
  return tf.add(x, tf.conv2d(h as tf.Tensor4D, w2 as tf.Tensor4D, 1, 'same'));
}

/**
 * A small UNet-like conv net for the training-step benchmark: conv_in → ResNet block → stride-2 conv →
 * ResNet block → nearest 2x upsample → conv → skip add → conv_out; input and output [N, H, W, 4].
 */
export function convNetParams(c: number): Record<string, tf.Variable | tf.Variable[]> {
  return {
    convIn: tf.variable(tf.randomNormal([3, 3, 4, c], 0, 0.1, 'float32', 1)),
    block1: resnetParams(c, 10),
    down: tf.variable(tf.randomNormal([3, 3, c, c], 0, 1 / Math.sqrt(9 * c), 'float32', 2)),
    block2: resnetParams(c, 20),
    up: tf.variable(tf.randomNormal([3, 3, c, c], 0, 1 / Math.sqrt(9 * c), 'float32', 3)),
    convOut: tf.variable(tf.randomNormal([3, 3, c, 4], 0, 0.1, 'float32', 4)),
  };
}

/** Forward of {@link convNetParams}. */
export function convNet(x: tf.Tensor4D, p: Record<string, tf.Variable | tf.Variable[]>): tf.Tensor4D {
  const [, h, w] = x.shape;
  const block = (t: tf.Tensor, params: tf.Variable[]): tf.Tensor => resnetBlock(t, ...(params as [tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable]));
  const h0 = tf.conv2d(x, p['convIn'] as tf.Tensor4D, 1, 'same');
  const h1 = block(h0, p['block1'] as tf.Variable[]);
  const d = tf.conv2d(h1 as tf.Tensor4D, p['down'] as tf.Tensor4D, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]);
  const h2 = block(d, p['block2'] as tf.Variable[]);
  const u = tf.conv2d(tf.image.resizeNearestNeighbor(h2 as tf.Tensor4D, [h, w]), p['up'] as tf.Tensor4D, 1, 'same');
  return tf.conv2d(tf.add(u, h1) as tf.Tensor4D, p['convOut'] as tf.Tensor4D, 1, 'same');
}
