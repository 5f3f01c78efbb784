import * as tf from '@tensorflow/tfjs-core';
import { silu } from '../functional/activations.js';
import type { BlockRuntime } from '../blocks/BlockRuntime.js';
import { DownBlock2D } from '../blocks/DownBlock2D.js';
import type { ResnetSettings } from '../blocks/ResnetSettings.js';
import { UNetMidBlock2D } from '../blocks/UNetMidBlock2D.js';
import { Conv2d } from '../nn/Conv2d.js';
import { GroupNorm } from '../nn/GroupNorm.js';
import { Module } from '../nn/Module.js';
import { ModuleList } from '../nn/ModuleList.js';
import type { AutoencoderKLConfig } from './AutoencoderKLConfig.js';

/**
 * diffusers autoencoders/vae.py Encoder (double_z): conv_in → DownEncoderBlock2Ds (eps 1e-6; downsampling by the
 * asymmetric-pad stride-2 conv, padding 0) → UNetMidBlock2D (one single-head attention) → GroupNorm → SiLU (always
 * SiLU, whatever act_fn) → conv_out to 2·latent_channels (mean and log-variance).
 */
export class Encoder extends Module {
  readonly conv_in: Conv2d;
  readonly down_blocks: ModuleList<DownBlock2D>;
  readonly mid_block: UNetMidBlock2D;
  readonly conv_norm_out: GroupNorm;
  readonly conv_out: Conv2d;

  constructor(config: AutoencoderKLConfig, resnet: ResnetSettings) {
    super();
    const channels = config.block_out_channels;
    const last = channels.at(-1)!;
    this.conv_in = this.registerModule('conv_in', new Conv2d(config.in_channels, channels[0]!, 3, { padding: 1 }));
    const blocks = channels.map((out, i) => new DownBlock2D(i === 0 ? channels[0]! : channels[i - 1]!, out, config.layers_per_block, resnet, i === channels.length - 1 ? null : 0));
    this.down_blocks = this.registerModule('down_blocks', new ModuleList(blocks));
    this.mid_block = this.registerModule('mid_block', new UNetMidBlock2D(last, 1, resnet, config.mid_block_add_attention, last));
    this.conv_norm_out = this.registerModule('conv_norm_out', new GroupNorm(config.norm_num_groups, last, { eps: 1e-6 }));
    this.conv_out = this.registerModule('conv_out', new Conv2d(last, 2 * config.latent_channels, 3, { padding: 1 }));
  }

  /** image [B, H, W, in] -> moments [B, H/f, W/f, 2·latent]. */
  forward(x: tf.Tensor4D, runtime: BlockRuntime): tf.Tensor4D {
    return tf.tidy(() => {
      let hidden = this.conv_in.forward(x);
      for (const block of this.down_blocks) hidden = block.forward(hidden, null, runtime).hidden;
      hidden = this.mid_block.forward(hidden, null, runtime);
      return this.conv_out.forward(silu(this.conv_norm_out.forward(hidden)) as tf.Tensor4D);
    });
  }
}
