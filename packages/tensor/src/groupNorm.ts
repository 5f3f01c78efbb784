import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';

/**
 * GroupNorm over an NHWC tensor, as diffusers uses it (`torch.nn.GroupNorm(groups, C, eps)`):
 * per sample and group of C/groups channels, `y = (x − mean) / sqrt(var + eps) · gamma + beta` with the
 * biased variance over (H, W, channels of the group) — PyTorch `aten/src/ATen/native/group_norm.cpp`.
 *
 * Fast form (backend.md §2): the per-channel sums Σx and Σx² are matmuls with a ones matrix (one
 * XNNPACK call each on wasm), the group statistics are reduced on [N, C]-sized tensors, and the
 * output is one scale and one shift, `y = x·a + b` with `a = rstd·gamma`, `b = beta − mean·a`.
 * The gradient is written by hand (tf.customGrad) in the same style. The variance is one-pass
 * (E[x²] − E[x]²): accurate in float32 while |mean| is within ~100× the standard deviation, as for
 * UNet activations; {@link groupNormMoments} is the two-pass formulation.
 */
export function groupNorm(x: tf.Tensor4D, groups: number, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-5): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  checkArgs(x, groups, gamma, beta);
  const l = h * w;
  const cg = c / groups;
  const count = l * cg;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, gammaIn, betaIn] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const save = args[3] as tf.GradSaveFunc;
    const x2 = tf.reshape(xIn, [n * l, c]) as tf.Tensor2D;
    const mean = groupReduce(channelSums(x2, n, l), n, groups, cg, count); // [N, G]
    const meanSq = groupReduce(channelSums(tf.square(x2), n, l), n, groups, cg, count);
    // why: clamp at 0; the one-pass difference can round to a tiny negative number.
    const rstd = tf.rsqrt(tf.add(tf.relu(tf.sub(meanSq, tf.square(mean))), eps)); // [N, G]
    const a = tf.mul(toChannels(rstd, cg), gammaIn); // [N, C]
    const b = tf.sub(betaIn, tf.mul(toChannels(mean, cg), a));
    save([xIn, gammaIn, mean, rstd]);
    const value = tf.add(tf.mul(xIn, tf.reshape(a, [n, 1, 1, c])), tf.reshape(b, [n, 1, 1, c]));
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xs, gs, mu, rs] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor2D, tf.Tensor2D];
      const dy2 = tf.reshape(dy, [n * l, c]) as tf.Tensor2D;
      const sDy = channelSums(dy2, n, l); // [N, C]  Σ_l dy
      const sDyX = channelSums(tf.mul(dy2, tf.reshape(xs, [n * l, c])), n, l); // Σ_l dy·x
      const muC = toChannels(mu, cg);
      const rsC = toChannels(rs, cg);
      // Σ_l dy·xhat per channel = rstd·(Σ dy·x − mean·Σ dy)
      const sDyXhat = tf.mul(rsC, tf.sub(sDyX, tf.mul(muC, sDy)));
      const dGamma = tf.sum(sDyXhat, 0);
      const dBeta = tf.sum(sDy, 0);
      // With dxhat = dy·gamma: A = mean_g(dxhat), B = mean_g(dxhat·xhat) over (H, W, group channels);
      // dx = rstd·(dxhat − A − xhat·B) = dy·(gamma·rstd) + x·c1 + c2, c1 = −rstd²·B, c2 = rstd·(rstd·mean·B − A).
      const bigA = groupReduce(tf.mul(sDy, gs), n, groups, cg, count);
      const bigB = groupReduce(tf.mul(sDyXhat, gs), n, groups, cg, count);
      const c1 = tf.neg(tf.mul(tf.square(rs), bigB));
      const c2 = tf.mul(rs, tf.sub(tf.mul(tf.mul(rs, mu), bigB), bigA));
      const scale = tf.reshape(tf.mul(rsC, gs), [n, 1, 1, c]);
      const dx = tf.add(
        tf.add(tf.mul(dy, scale), tf.mul(xs, tf.reshape(toChannels(c1, cg), [n, 1, 1, c]))),
        tf.reshape(toChannels(c2, cg), [n, 1, 1, c]),
      );
      return [dx, dGamma, dBeta];
    };
    return { value, gradFunc };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}

/**
 * The same GroupNorm written plainly with `tf.moments` on a [N, H, W, G, C/G] view (two-pass
 * variance, autodiff gradient): the reference {@link groupNorm} is tested and benchmarked against.
 */
export function groupNormMoments(x: tf.Tensor4D, groups: number, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-5): tf.Tensor4D {
  checkArgs(x, groups, gamma, beta);
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const xg = tf.reshape(x, [n, h, w, groups, c / groups]);
    const { mean, variance } = tf.moments(xg, [1, 2, 4], true);
    const xhat = tf.reshape(tf.mul(tf.sub(xg, mean), tf.rsqrt(tf.add(variance, eps))), [n, h, w, c]);
    return tf.add(tf.mul(xhat, gamma), beta) as tf.Tensor4D;
  });
}

/** Σ over the L rows of each sample of x2 [N·L, C] → [N, C], as one matmul with a ones matrix. */
function channelSums(x2: tf.Tensor2D, n: number, l: number): tf.Tensor2D {
  if (n === 1) return tf.matMul(tf.ones([1, l]), x2);
  // why: a block-diagonal ones [N, N·L] keeps it one 2-D matmul; its N× extra work is cheap for small N.
  if (n <= 8) return tf.matMul(blockOnes(n, l), x2);
  return tf.sum(tf.reshape(x2, [n, l, x2.shape[1]]), 1);
}

function blockOnes(n: number, l: number): tf.Tensor2D {
  const data = new Float32Array(n * n * l);
  for (let i = 0; i < n; i++) data.fill(1, i * n * l + i * l, i * n * l + (i + 1) * l);
  return tf.tensor2d(data, [n, n * l]);
}

/** Per-channel sums [N, C] → per-group means [N, G] (divided by `count` elements per group). */
function groupReduce(perChannel: tf.Tensor, n: number, groups: number, cg: number, count: number): tf.Tensor2D {
  return tf.div(tf.sum(tf.reshape(perChannel, [n, groups, cg]), 2), count);
}

/** Per-group values [N, G] → per-channel [N, C]. */
function toChannels(perGroup: tf.Tensor, cg: number): tf.Tensor2D {
  const [n, g] = perGroup.shape as [number, number];
  return tf.reshape(tf.tile(tf.reshape(perGroup, [n, g, 1]), [1, 1, cg]), [n, g * cg]);
}

function checkArgs(x: tf.Tensor4D, groups: number, gamma: tf.Tensor1D, beta: tf.Tensor1D): void {
  const c = x.shape[3];
  if (x.rank !== 4 || !Number.isInteger(groups) || groups < 1 || c % groups !== 0) {
    throw new SdxlError(
      ErrorCode.KERNEL_UNSUPPORTED,
      `groupNorm: x must be NHWC with channels divisible by groups; got shape [${x.shape.join(',')}] and groups ${groups}`,
    );
  }
  if (gamma.size !== c || beta.size !== c) {
    throw new SdxlError(
      ErrorCode.KERNEL_UNSUPPORTED,
      `groupNorm: gamma and beta must have ${c} elements (the channels of x); got ${gamma.size} and ${beta.size}`,
    );
  }
}
