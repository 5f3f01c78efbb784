import * as tf from '@tensorflow/tfjs-core';
import { silu } from '../functional/activations.js';
import type { BlockRuntime } from '../blocks/BlockRuntime.js';
import type { ResnetSettings } from '../blocks/ResnetSettings.js';
import { UNetMidBlock2D } from '../blocks/UNetMidBlock2D.js';
import { UpDecoderBlock2D } from '../blocks/UpDecoderBlock2D.js';
import { Conv2d } from '../nn/Conv2d.js';
import { GroupNorm } from '../nn/GroupNorm.js';
import { Module } from '../nn/Module.js';
import { ModuleList } from '../nn/ModuleList.js';
import type { AutoencoderKLConfig } from './AutoencoderKLConfig.js';

/**
 * diffusers autoencoders/vae.py Decoder (norm_type "group"): conv_in → UNetMidBlock2D → UpDecoderBlock2Ds
 * (layers_per_block + 1 resnets each, reversed channels) → GroupNorm → SiLU → conv_out.
 */
export class Decoder extends Module {
  readonly conv_in: Conv2d;
  readonly up_blocks: ModuleList<UpDecoderBlock2D>;
  readonly mid_block: UNetMidBlock2D;
  readonly conv_norm_out: GroupNorm;
  readonly conv_out: Conv2d;

  constructor(config: AutoencoderKLConfig, resnet: ResnetSettings) {
    super();
    const reversed = [...config.block_out_channels].reverse();
    const first = config.block_out_channels[0]!;
    this.conv_in = this.registerModule('conv_in', new Conv2d(config.latent_channels, reversed[0]!, 3, { padding: 1 }));
    const blocks = reversed.map(
      (out, i) => new UpDecoderBlock2D(i === 0 ? reversed[0]! : reversed[i - 1]!, out, config.layers_per_block + 1, resnet, i !== reversed.length - 1),
    );
    // why: diffusers assigns up_blocks before mid_block here, so named_parameters() lists them first.
    this.up_blocks = this.registerModule('up_blocks', new ModuleList(blocks));
    this.mid_block = this.registerModule('mid_block', new UNetMidBlock2D(reversed[0]!, 1, resnet, config.mid_block_add_attention, reversed[0]!));
    this.conv_norm_out = this.registerModule('conv_norm_out', new GroupNorm(config.norm_num_groups, first, { eps: 1e-6 }));
    this.conv_out = this.registerModule('conv_out', new Conv2d(first, config.out_channels, 3, { padding: 1 }));
  }

  /** z [B, h, w, latent] -> image [B, h·f, w·f, out]. */
  forward(z: tf.Tensor4D, runtime: BlockRuntime): tf.Tensor4D {
    return tf.tidy(() => {
      let hidden = this.conv_in.forward(z);
      hidden = this.mid_block.forward(hidden, null, runtime);
      for (const block of this.up_blocks) hidden = block.forward(hidden, runtime);
      return this.conv_out.forward(silu(this.conv_norm_out.forward(hidden)) as tf.Tensor4D);
    });
  }
}
