import type * as tf from '@tensorflow/tfjs-core';
import { Module } from '../nn/Module.js';
import { ModuleList } from '../nn/ModuleList.js';
import type { BlockRuntime } from './BlockRuntime.js';
import { ResnetBlock2D } from './ResnetBlock2D.js';
import type { CrossAttentionSettings, ResnetSettings } from './ResnetSettings.js';
import { Transformer2DModel } from './Transformer2DModel.js';

/** diffusers unet_2d_blocks.py UNetMidBlock2DCrossAttn (num_layers 1): resnet → Transformer2DModel → resnet, channels kept. */
export class UNetMidBlock2DCrossAttn extends Module {
  readonly attentions: ModuleList<Transformer2DModel>;
  readonly resnets: ModuleList<ResnetBlock2D>;

  constructor(channels: number, resnet: ResnetSettings, attention: CrossAttentionSettings) {
    super();
    const transformer = new Transformer2DModel({
      heads: attention.heads,
      dimHead: Math.floor(channels / attention.heads),
      inChannels: channels,
      layers: attention.transformerLayers[0]!,
      crossAttentionDim: attention.crossAttentionDim,
      normGroups: resnet.groups,
      useLinearProjection: attention.useLinearProjection,
    });
    this.attentions = this.registerModule('attentions', new ModuleList([transformer]));
    this.resnets = this.registerModule('resnets', new ModuleList([0, 1].map(() => new ResnetBlock2D({ ...resnet, inChannels: channels, outChannels: channels }))));
  }

  /** x [B, H, W, C], temb [B, T], context [B, L, cross] -> [B, H, W, C]. */
  forward(x: tf.Tensor4D, temb: tf.Tensor2D, context: tf.Tensor3D, runtime: BlockRuntime): tf.Tensor4D {
    let hidden = this.resnets.at(0).forward(x, temb, runtime);
    hidden = this.attentions.at(0).forward(hidden, context, runtime);
    return this.resnets.at(1).forward(hidden, temb, runtime);
  }
}
