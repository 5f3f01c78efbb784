import * as tf from '@tensorflow/tfjs-core';
import { Conv2d } from '../nn/Conv2d.js';
import { Module } from '../nn/Module.js';

/**
 * diffusers downsampling.py Downsample2D with `use_conv=True` (as every UNet and VAE block builds it): a 3×3 stride-2
 * conv with PyTorch's symmetric `padding`; with padding 0 (the VAE's encoder) the input is first padded by one
 * row at the bottom and one column at the right, `F.pad(x, (0, 1, 0, 1))`.
 */
export class Downsample2D extends Module {
  readonly conv: Conv2d;
  readonly #padding: number;

  constructor(channels: number, outChannels: number, padding: number) {
    super();
    this.#padding = padding;
    this.conv = this.registerModule('conv', new Conv2d(channels, outChannels, 3, { stride: 2, padding }));
  }

  /** x [B, H, W, C] -> [B, ⌊(H + 2p − 3)/2⌋ + 1, …, out] (p = padding, or the asymmetric pad for 0). */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    if (this.#padding !== 0) return this.conv.forward(x);
    return tf.tidy(() => this.conv.forward(tf.pad(x, [[0, 0], [0, 1], [0, 1], [0, 0]])));
  }
}
