import type * as tf from '@tensorflow/tfjs-core';
import { Module } from '../nn/Module.js';
import { ModuleList } from '../nn/ModuleList.js';
import { Attention } from './Attention.js';
import type { BlockRuntime } from './BlockRuntime.js';
import { ResnetBlock2D } from './ResnetBlock2D.js';
import type { ResnetSettings } from './ResnetSettings.js';

/**
 * diffusers unet_2d_blocks.py UNetMidBlock2D: resnet, then `layers` × (spatial self-attention, resnet). The VAE builds
 * it with layers 1 and one attention head of all channels (GroupNorm over the input, q/k/v/out biases, residual,
 * upcast_softmax); the UNet's "UNetMidBlock2D" is layers 0 (one resnet). Without attention (`addAttention` false,
 * the VAE's `mid_block_add_attention`) the attentions are None in diffusers and hold nothing here.
 */
export class UNetMidBlock2D extends Module {
  readonly attentions: ModuleList<Attention>;
  readonly resnets: ModuleList<ResnetBlock2D>;

  constructor(channels: number, layers: number, resnet: ResnetSettings, addAttention: boolean, attentionHeadDim: number) {
    super();
    const attentions = addAttention
      ? Array.from(
          { length: layers },
          () =>
            new Attention({
              queryDim: channels,
              crossAttentionDim: null,
              heads: Math.floor(channels / attentionHeadDim),
              dimHead: attentionHeadDim,
              bias: true,
              groupNorm: { groups: resnet.groups, eps: resnet.eps },
              residualConnection: true,
              rescaleOutputFactor: resnet.outputScaleFactor,
            }),
        )
      : [];
    this.attentions = this.registerModule('attentions', new ModuleList(attentions));
    const resnets = Array.from({ length: layers + 1 }, () => new ResnetBlock2D({ ...resnet, inChannels: channels, outChannels: channels }));
    this.resnets = this.registerModule('resnets', new ModuleList(resnets));
  }

  /** x [B, H, W, C], temb [B, T] or null -> [B, H, W, C]. */
  forward(x: tf.Tensor4D, temb: tf.Tensor2D | null, runtime: BlockRuntime): tf.Tensor4D {
    let hidden = this.resnets.at(0).forward(x, temb, runtime);
    for (let i = 1; i < this.resnets.length; i++) {
      if (this.attentions.length > 0) hidden = this.attentions.at(i - 1).forwardSpatial(hidden, runtime.attentionChunkSize);
      hidden = this.resnets.at(i).forward(hidden, temb, runtime);
    }
    return hidden;
  }
}
