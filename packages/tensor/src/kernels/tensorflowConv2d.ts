import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { kernelError } from './kernelError.js';
import { stockKernel } from './replaceKernel.js';
import type { OpAttr, TensorflowBackendInternals } from './tensorflowOps.js';

type Pad = Conv2DAttrs['pad'];
type Shape4 = [number, number, number, number];

const isNamed = (pad: Pad): pad is 'same' | 'valid' => pad === 'same' || pad === 'valid';

/**
 * tensorflow `Conv2D` / `FusedConv2D` that also take a numeric `pad` (PyTorch's `padding=1`).
 * why: tfjs-node 4.22's kernels accept 'same', 'valid' and explicit pairs but throw "TF Backend supports
 * only 'valid' and 'same' padding while padding was NUMBER"; a number is handed on as the same pairs.
 */
export function tensorflowConvForward(kernelName: 'Conv2D' | 'FusedConv2D'): KernelFunc {
  return (args) => {
    const stock = stockKernel(kernelName, 'tensorflow');
    if (stock === undefined) throw kernelError(kernelName, 'tensorflow', 'no tfjs-node kernel to call (is @tensorflow/tfjs-node loaded?)');
    const attrs = args.attrs as unknown as Conv2DAttrs;
    if (typeof attrs.pad !== 'number') return stock.kernelFunc(args);
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const pairs = explicitPairs(attrs.pad, attrs.dataFormat);
    sameShape(kernelName, x.shape as Shape4, filter.shape as Shape4, attrs, pairs);
    return stock.kernelFunc({ ...args, attrs: { ...args.attrs, pad: pairs, dimRoundingMode: undefined } as never });
  };
}

/**
 * tensorflow `Conv2DBackpropInput` / `Conv2DBackpropFilter` for every padding tfjs has: 'same'/'valid' go
 * to tfjs-node's kernel; numbers and explicit pairs run TensorFlow's op with `padding: EXPLICIT`.
 * why: tfjs-node 4.22's backprop kernels take only 'same' and 'valid', so the gradient of any conv with
 * PyTorch-style padding (every SDXL downsampler) fails on tensorflow.
 */
export function tensorflowConvBackprop(kernelName: 'Conv2DBackpropInput' | 'Conv2DBackpropFilter'): KernelFunc {
  return (args) => {
    const attrs = args.attrs as unknown as Conv2DAttrs & { inputShape?: Shape4; filterShape?: Shape4 };
    if (isNamed(attrs.pad)) {
      const stock = stockKernel(kernelName, 'tensorflow');
      if (stock === undefined) throw kernelError(kernelName, 'tensorflow', 'no tfjs-node kernel to call (is @tensorflow/tfjs-node loaded?)');
      return stock.kernelFunc(args);
    }
    const backend = args.backend as unknown as TensorflowBackendInternals;
    const isInput = kernelName === 'Conv2DBackpropInput';
    const inputs = args.inputs as { x?: TensorInfo; filter?: TensorInfo; dy: TensorInfo };
    const xShape = (isInput ? attrs.inputShape : inputs.x?.shape) as Shape4;
    const filterShape = (isInput ? inputs.filter?.shape : attrs.filterShape) as Shape4;
    const format = backend_util.convertConv2DDataFormat(attrs.dataFormat);
    const info = backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, format);
    if (typeof attrs.pad === 'number') sameShape(kernelName, xShape, filterShape, attrs, explicitPairs(attrs.pad, attrs.dataFormat));
    const { top, bottom, left, right } = info.padInfo;
    const nhwc = format === 'channelsLast';
    const b = backend.binding;
    const opAttrs: OpAttr[] = [
      { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
      { name: 'strides', type: b.TF_ATTR_INT, value: nhwc ? [1, info.strideHeight, info.strideWidth, 1] : [1, 1, info.strideHeight, info.strideWidth] },
      { name: 'padding', type: b.TF_ATTR_STRING, value: 'EXPLICIT' },
      { name: 'explicit_paddings', type: b.TF_ATTR_INT, value: nhwc ? [0, 0, top, bottom, left, right, 0, 0] : [0, 0, 0, 0, top, bottom, left, right] },
      { name: 'data_format', type: b.TF_ATTR_STRING, value: nhwc ? 'NHWC' : 'NCHW' },
      { name: 'use_cudnn_on_gpu', type: b.TF_ATTR_BOOL, value: true },
      { name: 'dilations', type: b.TF_ATTR_INT, value: [1, 1, 1, 1] },
    ];
    // TensorFlow takes the shape of what it differentiates for as an int32 input tensor.
    const sizes = tf.tensor1d(isInput ? xShape : filterShape, 'int32');
    try {
      const opInputs = isInput ? [sizes, inputs.filter as TensorInfo, inputs.dy] : [inputs.x as TensorInfo, sizes, inputs.dy];
      return backend.executeSingleOutput(kernelName, opAttrs, opInputs);
    } finally {
      sizes.dispose();
    }
  };
}

function explicitPairs(pad: number, dataFormat: Conv2DAttrs['dataFormat']): backend_util.ExplicitPadding {
  return dataFormat === 'NCHW' ? [[0, 0], [0, 0], [pad, pad], [pad, pad]] : [[0, 0], [pad, pad], [pad, pad], [0, 0]];
}

/** Throws unless a numeric pad with its rounding mode gives the output size the explicit pairs give (TensorFlow floors). */
function sameShape(kernel: string, xShape: Shape4, filterShape: Shape4, attrs: Conv2DAttrs, pairs: backend_util.ExplicitPadding): void {
  if (attrs.dimRoundingMode === undefined) return;
  const format = backend_util.convertConv2DDataFormat(attrs.dataFormat);
  const asked = backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false, format);
  const floor = backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, attrs.dilations ?? 1, pairs, undefined, false, format);
  if (asked.outHeight !== floor.outHeight || asked.outWidth !== floor.outWidth) {
    throw kernelError(kernel, 'tensorflow', `dimRoundingMode '${attrs.dimRoundingMode}' gives a ${asked.outHeight}x${asked.outWidth} output; TensorFlow's explicit padding floors to ${floor.outHeight}x${floor.outWidth}`);
  }
}
