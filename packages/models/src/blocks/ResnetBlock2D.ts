import * as tf from '@tensorflow/tfjs-core';
import type { Activation } from '../functional/activations.js';
import { Conv2d } from '../nn/Conv2d.js';
import { GroupNorm } from '../nn/GroupNorm.js';
import { Linear } from '../nn/Linear.js';
import { Module } from '../nn/Module.js';
import type { BlockRuntime } from './BlockRuntime.js';
import { runWrapped } from './runWrapped.js';

/** How the time embedding enters a ResnetBlock2D (diffusers `time_embedding_norm`; "group" in the VAE acts as "default" without an embedding). */
export type TimeEmbeddingNorm = 'default' | 'scale_shift';

/** Options of {@link ResnetBlock2D} (diffusers resnet.py ResnetBlock2D arguments). */
export interface ResnetBlock2DOptions {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Width of the time embedding; null for none (the VAE's blocks). */
  readonly tembChannels: number | null;
  readonly groups: number;
  readonly eps: number;
  readonly activation: Activation;
  /** Default "default". */
  readonly timeEmbeddingNorm?: TimeEmbeddingNorm;
  /** The output is (shortcut + h) / outputScaleFactor (default 1). */
  readonly outputScaleFactor?: number;
}

/**
 * diffusers resnet.py ResnetBlock2D (pre-norm, no up/down): h = conv1(act(norm1(x))); h += time_emb_proj(act(temb))
 * per channel ("default") or norm2(h)·(1 + scale) + shift ("scale_shift"); h = conv2(act(norm2(h))); out =
 * (conv_shortcut(x) or x) + h, divided by output_scale_factor. A 1×1 conv_shortcut exists when the channels change.
 * NHWC throughout; dropout is 0 (refused in configs).
 */
export class ResnetBlock2D extends Module {
  readonly norm1: GroupNorm;
  readonly conv1: Conv2d;
  readonly time_emb_proj: Linear | null;
  readonly norm2: GroupNorm;
  readonly conv2: Conv2d;
  readonly conv_shortcut: Conv2d | null;
  readonly #activation: Activation;
  readonly #timeEmbeddingNorm: TimeEmbeddingNorm;
  readonly #outputScaleFactor: number;

  constructor(options: ResnetBlock2DOptions) {
    super();
    const { inChannels, outChannels, groups, eps } = options;
    this.#activation = options.activation;
    this.#timeEmbeddingNorm = options.timeEmbeddingNorm ?? 'default';
    this.#outputScaleFactor = options.outputScaleFactor ?? 1;
    this.norm1 = this.registerModule('norm1', new GroupNorm(groups, inChannels, { eps }));
    this.conv1 = this.registerModule('conv1', new Conv2d(inChannels, outChannels, 3, { padding: 1 }));
    const projected = this.#timeEmbeddingNorm === 'scale_shift' ? 2 * outChannels : outChannels;
    this.time_emb_proj = options.tembChannels === null ? null : this.registerModule('time_emb_proj', new Linear(options.tembChannels, projected));
    this.norm2 = this.registerModule('norm2', new GroupNorm(groups, outChannels, { eps }));
    this.conv2 = this.registerModule('conv2', new Conv2d(outChannels, outChannels, 3, { padding: 1 }));
    this.conv_shortcut = inChannels === outChannels ? null : this.registerModule('conv_shortcut', new Conv2d(inChannels, outChannels, 1));
  }

  /** x [B, H, W, in], temb [B, temb] (or null when the block has no time projection) -> [B, H, W, out]. */
  forward(x: tf.Tensor4D, temb: tf.Tensor2D | null, runtime: BlockRuntime): tf.Tensor4D {
    if ((temb === null) !== (this.time_emb_proj === null)) {
      throw new RangeError(this.time_emb_proj === null ? 'this ResnetBlock2D has no time embedding projection; pass null' : 'this ResnetBlock2D needs a time embedding');
    }
    const inputs = temb === null ? [x] : [x, temb];
    return runWrapped(this, runtime.wrapper, inputs, (xx, tt) => this.#forward(xx as tf.Tensor4D, (tt ?? null) as tf.Tensor2D | null)) as tf.Tensor4D;
  }

  #forward(x: tf.Tensor4D, temb: tf.Tensor2D | null): tf.Tensor4D {
    return tf.tidy(() => {
      const act = this.#activation;
      let h = this.conv1.forward(act(this.norm1.forward(x)) as tf.Tensor4D);
      const out = h.shape[3];
      if (temb !== null && this.time_emb_proj !== null) {
        const projected = this.time_emb_proj.forward(act(temb));
        if (this.#timeEmbeddingNorm === 'default') {
          h = this.norm2.forward(tf.add(h, tf.reshape(projected, [-1, 1, 1, out]))) as tf.Tensor4D;
        } else {
          const [scale, shift] = tf.split(projected, 2, 1);
          h = tf.add(tf.mul(this.norm2.forward(h), tf.add(tf.reshape(scale!, [-1, 1, 1, out]), 1)), tf.reshape(shift!, [-1, 1, 1, out])) as tf.Tensor4D;
        }
      } else {
        h = this.norm2.forward(h) as tf.Tensor4D;
      }
      h = this.conv2.forward(act(h) as tf.Tensor4D);
      const shortcut = this.conv_shortcut === null ? x : this.conv_shortcut.forward(x);
      const sum = tf.add(shortcut, h) as tf.Tensor4D;
      return this.#outputScaleFactor === 1 ? sum : (tf.div(sum, this.#outputScaleFactor) as tf.Tensor4D);
    });
  }
}
