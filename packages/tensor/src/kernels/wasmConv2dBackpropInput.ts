import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asTensor } from './asTensor.js';
import { padOrCrop } from './padOrCrop.js';
import { kernelError } from './kernelError.js';

/**
 * wasm `Conv2DBackpropInput` (the input gradient of `conv2d`, also `conv2dTranspose`) as one forward
 * XNNPACK conv: the gradient is the correlation of dy — with stride-1 zeros inserted between its rows
 * and columns — against the filter flipped in (h, w) with in/out channels swapped, padded by
 * `K − 1 − pad` on each side. Definition: TensorFlow `Conv2DBackpropInput`, NHWC.
 * why: the stock kernel is a scalar single-threaded loop (2.5 GFLOP/s against ~30 for the forward conv).
 */
export const wasmConv2dBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
  if (dataFormat === 'NCHW') throw kernelError('Conv2DBackpropInput', 'wasm', 'only NHWC is supported, dataFormat was NCHW');
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  return tf.tidy(() => {
    const g = asTensor(dy, backend) as tf.Tensor4D;
    const wt = asTensor(filter, backend) as tf.Tensor4D;
    const { batchSize: n, inHeight: h, inWidth: w, outChannels: co, outHeight: oh, outWidth: ow } = info;
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const { top, left } = info.padInfo;
    // Zero insertion: [N·OH, 1, OW, 1, Co] padded to [N·OH, s, OW, s, Co] is dy on a grid s times finer,
    // followed by s − 1 zero rows/cols that the bottom/right padding below accounts for.
    const spread =
      sh > 1 || sw > 1
        ? (tf.reshape(
            tf.pad(tf.reshape(g, [n * oh, 1, ow, 1, co]), [
              [0, 0],
              [0, sh - 1],
              [0, 0],
              [0, sw - 1],
              [0, 0],
            ]),
            [n, oh * sh, ow * sw, co],
          ) as tf.Tensor4D)
        : g;
    const padTop = kh - 1 - top;
    const padLeft = kw - 1 - left;
    // Output rows = padded rows − KH + 1 must equal H.
    const padBottom = h + kh - 1 - padTop - oh * sh;
    const padRight = w + kw - 1 - padLeft - ow * sw;
    const framed = padOrCrop(spread, padTop, padBottom, padLeft, padRight);
    const flipped = tf.transpose(tf.reverse(wt, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [KH, KW, Co, Ci]
    return tf.conv2d(framed, flipped, 1, 'valid');
  });
};
