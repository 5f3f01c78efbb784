import * as tf from '@tensorflow/tfjs-core';
import { Init } from './Init.js';
import { Module } from './Module.js';
import { Parameter } from './Parameter.js';
import { conv2dLayout } from './ParameterLayout.js';

/** A size per spatial axis, or one for both: PyTorch's `int | (int, int)`. */
export type Size2 = number | readonly [number, number];

/** Options of {@link Conv2d}. */
export interface Conv2dOptions {
  /** Stride (default 1). */
  readonly stride?: Size2;
  /** Zero padding added on both sides of each axis, as PyTorch's `padding=` (default 0). */
  readonly padding?: Size2;
  /** Whether there is a bias (default true). */
  readonly bias?: boolean;
  /** Weight initialiser (default PyTorch's: U(±1/√fan_in), fan_in = in·kh·kw). */
  readonly weightInit?: Init;
  /** Bias initialiser (default PyTorch's: U(±1/√fan_in)). */
  readonly biasInit?: Init;
}

/**
 * torch.nn.Conv2d on NHWC input. The weight is stored HWIO (see conv2dLayout). Padding is explicit and symmetric, so
 * stride 2 with padding 1 gives PyTorch's output exactly (why: tfjs 'same' pads asymmetrically, bottom/right first).
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: Conv2dOptions = {}) {
    super();
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = pair(kernelSize);
    this.stride = pair(options.stride ?? 1);
    this.padding = pair(options.padding ?? 0);
    const fanIn = inChannels * this.kernelSize[0] * this.kernelSize[1];
    this.weight = this.registerParameter(
      'weight',
      new Parameter([outChannels, inChannels, ...this.kernelSize], { layout: conv2dLayout, init: options.weightInit ?? Init.torchDefaultWeight(fanIn) }),
    );
    this.bias = options.bias === false ? null : this.registerParameter('bias', new Parameter([outChannels], { init: options.biasInit ?? Init.torchDefaultBias(fanIn) }));
  }

  /** x [N, H, W, in] -> [N, H', W', out]. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    if (x.shape[3] !== this.inChannels) throw new RangeError(`Conv2d(${this.inChannels}, ${this.outChannels}) got NHWC input [${x.shape.join(', ')}]`);
    const [ph, pw] = this.padding;
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [ph, ph], [pw, pw], [0, 0]];
    return tf.tidy(() => {
      const y = tf.conv2d(x, this.weight.tensor as tf.Tensor4D, [...this.stride], ph === 0 && pw === 0 ? 'valid' : pad);
      return this.bias === null ? y : tf.add(y, this.bias.tensor);
    });
  }
}

function pair(size: Size2): [number, number] {
  const [a, b] = typeof size === 'number' ? [size, size] : size;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0) throw new RangeError(`expected a non-negative integer or a pair of them, got ${JSON.stringify(size)}`);
  return [a, b];
}
