import * as tf from '@tensorflow/tfjs-core';

/** One op benchmarked on every backend: a run that ends in dataSync(), and its FLOPs. */
export interface HeadlineCase {
  readonly label: string;
  readonly flops: number;
  /** Makes the inputs once; returns the timed run and a dispose. */
  readonly setup: () => { run: () => void; dispose: () => void };
}

/** matmul 1024² and a 3x3 conv forward + backward at 2x32x32x64: the numbers backend.md compares with PyTorch. */
export const HEADLINE_CASES: readonly HeadlineCase[] = [
  {
    label: 'matmul 1024x1024 · 1024x1024',
    flops: 2 * 1024 ** 3,
    setup: () => {
      const a = tf.randomUniform([1024, 1024], -1, 1, 'float32', 1);
      const b = tf.randomUniform([1024, 1024], -1, 1, 'float32', 2);
      return { run: () => tf.tidy(() => void tf.matMul(a, b).dataSync()), dispose: () => tf.dispose([a, b]) };
    },
  },
  {
    label: 'conv3x3 forward + backward (dX, dW), x 2x32x32x64, 64 filters',
    // why: the backward is two convs' worth of work (dX and dW), so 3x the forward FLOPs.
    flops: 3 * 2 * 2 * 32 * 32 * 9 * 64 * 64,
    setup: () => {
      const x = tf.randomUniform([2, 32, 32, 64], -1, 1, 'float32', 3) as tf.Tensor4D;
      const w = tf.randomUniform([3, 3, 64, 64], -0.1, 0.1, 'float32', 4) as tf.Tensor4D;
      const f = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')));
      return {
        run: () =>
          tf.tidy(() => {
            for (const g of f([x, w])) g.dataSync();
          }),
        dispose: () => tf.dispose([x, w]),
      };
    },
  },
];
