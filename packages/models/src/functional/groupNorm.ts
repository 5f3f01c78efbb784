import * as tf from '@tensorflow/tfjs-core';
import { groupNorm as fastGroupNorm } from '@sdxl-trainer/tensor';

/**
 * Group normalisation of a channels-last tensor [N, ..., C] (NHWC images, or [N, L, C]): statistics per sample over
 * every position and the C/groups channels of each group, biased variance, then the per-channel affine, as
 * torch.nn.functional.group_norm computes it on the NCHW equivalent.
 *
 * With weight and bias (every GroupNorm in diffusers' models) this is @sdxl-trainer/tensor's groupNorm: per-channel
 * sums as matmuls and one scale-and-shift, with a hand-written gradient (research/backend.md §2: 2.5× faster than
 * tf.moments on wasm). Without them, the plain two-pass form.
 */
export function groupNorm(x: tf.Tensor, groups: number, weight: tf.Tensor | null, bias: tf.Tensor | null, eps: number): tf.Tensor {
  const channels = x.shape[x.rank - 1]!;
  if (x.rank < 2 || channels % groups !== 0) {
    throw new RangeError(`groupNorm needs a channels-last tensor whose ${channels} channels split into ${groups} groups, got shape [${x.shape.join(', ')}]`);
  }
  const batch = x.shape[0]!;
  if (weight !== null && bias !== null) {
    return tf.tidy(() => tf.reshape(fastGroupNorm(tf.reshape(x, [batch, -1, 1, channels]) as tf.Tensor4D, groups, weight as tf.Tensor1D, bias as tf.Tensor1D, eps), x.shape));
  }
  return tf.tidy(() => {
    const grouped = tf.reshape(x, [batch, -1, groups, channels / groups]);
    const { mean, variance } = tf.moments(grouped, [1, 3], true);
    let y = tf.reshape(tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, eps))), x.shape);
    if (weight !== null) y = tf.mul(y, weight);
    if (bias !== null) y = tf.add(y, bias);
    return y;
  });
}
