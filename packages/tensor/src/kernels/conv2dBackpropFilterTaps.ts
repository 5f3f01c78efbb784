import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asTensor } from './asTensor.js';
import { padOrCrop } from './padOrCrop.js';
import { kernelError } from './kernelError.js';

/**
 * `Conv2DBackpropFilter` (the weight gradient of `conv2d`) as one 2-D matmul per filter tap.
 *
 * With M = N·OH·OW output positions, the gradient of tap (kh, kw) is
 * `dW[kh,kw] = Σ_m x[m at tap (kh,kw)]ᵀ · dy[m]`, computed here as `dyᵀ[Co,M] · x_tap[M,Ci]`:
 * dy is transposed once for all taps, each x_tap is a plain slice of the padded input (for stride s the
 * input is first viewed as [N, H/s, s, W/s, s, Ci] so a tap is a slice too), and each product is a
 * 2-D matmul, which wasm runs on XNNPACK. Definition: TensorFlow `Conv2DBackpropFilter`, NHWC.
 * why: wasm 4.22 has no such kernel and cpu's is ~85x slower than its forward conv (backend.md §1–2).
 */
export function conv2dBackpropFilterTaps(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
    if (dataFormat === 'NCHW') {
      throw kernelError('Conv2DBackpropFilter', backendName, 'only NHWC is supported, dataFormat was NCHW');
    }
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    return tf.tidy(() => filterGradTaps(asTensor(x, backend) as tf.Tensor4D, asTensor(dy, backend) as tf.Tensor4D, info));
  };
}

function filterGradTaps(x: tf.Tensor4D, dy: tf.Tensor4D, info: backend_util.Conv2DInfo): tf.Tensor4D {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const m = n * oh * ow;
  // Rows/cols of the padded input that the taps read, rounded up to whole stride phases.
  const hp = Math.ceil(((oh - 1) * sh + kh) / sh) * sh;
  const wp = Math.ceil(((ow - 1) * sw + kw) / sw) * sw;
  const xp = padOrCrop(x, top, hp - h - top, left, wp - w - left);
  const dyT = tf.transpose(tf.reshape(dy, [m, co]), [1, 0]) as tf.Tensor2D; // [Co, M]
  const strided = sh > 1 || sw > 1;
  const phased = strided ? tf.reshape(xp, [n, hp / sh, sh, wp / sw, sw, ci]) : xp;
  const taps: tf.Tensor2D[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const tap = strided
        ? tf.slice(phased, [0, Math.floor(i / sh), i % sh, Math.floor(j / sw), j % sw, 0], [n, oh, 1, ow, 1, ci])
        : tf.slice(phased, [0, i, j, 0], [n, oh, ow, ci]);
      taps.push(tf.matMul(dyT, tf.reshape(tap, [m, ci]) as tf.Tensor2D)); // [Co, Ci]
    }
  }
  // [KH·KW, Co, Ci] → [KH, KW, Ci, Co]
  return tf.transpose(tf.reshape(tf.stack(taps), [kh, kw, co, ci]), [0, 1, 3, 2]);
}
