import * as tf from '@tensorflow/tfjs-core';
import { upsampleNearest } from '../functional/upsampleNearest.js';
import { Conv2d } from '../nn/Conv2d.js';
import { Module } from '../nn/Module.js';

/** diffusers upsampling.py Upsample2D with `use_conv=True`: nearest ×2 (or to `outputSize`), then a 3×3 conv, padding 1. */
export class Upsample2D extends Module {
  readonly conv: Conv2d;

  constructor(channels: number, outChannels: number) {
    super();
    this.conv = this.registerModule('conv', new Conv2d(channels, outChannels, 3, { padding: 1 }));
  }

  /** x [B, H, W, C] -> [B, 2H, 2W, out], or [B, outputSize[0], outputSize[1], out] (diffusers' `upsample_size`). */
  forward(x: tf.Tensor4D, outputSize?: readonly [number, number]): tf.Tensor4D {
    return tf.tidy(() => this.conv.forward(upsampleNearest(x, outputSize)));
  }
}
