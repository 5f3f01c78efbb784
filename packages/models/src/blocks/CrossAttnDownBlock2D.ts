import type * as tf from '@tensorflow/tfjs-core';
import { Module } from '../nn/Module.js';
import { ModuleList } from '../nn/ModuleList.js';
import type { BlockRuntime } from './BlockRuntime.js';
import type { DownBlockOutput } from './DownBlock2D.js';
import { Downsample2D } from './Downsample2D.js';
import { ResnetBlock2D } from './ResnetBlock2D.js';
import type { CrossAttentionSettings, ResnetSettings } from './ResnetSettings.js';
import { Transformer2DModel } from './Transformer2DModel.js';

/**
 * diffusers unet_2d_blocks.py CrossAttnDownBlock2D: per layer a ResnetBlock2D then a Transformer2DModel (heads of
 * out/heads channels), each pair's output a skip; then an optional Downsample2D (also a skip).
 */
export class CrossAttnDownBlock2D extends Module {
  readonly attentions: ModuleList<Transformer2DModel>;
  readonly resnets: ModuleList<ResnetBlock2D>;
  readonly downsamplers: ModuleList<Downsample2D> | null;

  constructor(inChannels: number, outChannels: number, layers: number, resnet: ResnetSettings, attention: CrossAttentionSettings, downsamplePadding: number | null) {
    super();
    const transformers = Array.from(
      { length: layers },
      (_, i) =>
        new Transformer2DModel({
          heads: attention.heads,
          dimHead: Math.floor(outChannels / attention.heads),
          inChannels: outChannels,
          layers: attention.transformerLayers[i]!,
          crossAttentionDim: attention.crossAttentionDim,
          normGroups: resnet.groups,
          useLinearProjection: attention.useLinearProjection,
        }),
    );
    const resnets = Array.from({ length: layers }, (_, i) => new ResnetBlock2D({ ...resnet, inChannels: i === 0 ? inChannels : outChannels, outChannels }));
    // why: registered in diffusers' order (attentions, then resnets), so named_parameters() order matches.
    this.attentions = this.registerModule('attentions', new ModuleList(transformers));
    this.resnets = this.registerModule('resnets', new ModuleList(resnets));
    this.downsamplers =
      downsamplePadding === null ? null : this.registerModule('downsamplers', new ModuleList([new Downsample2D(outChannels, outChannels, downsamplePadding)]));
  }

  /** x [B, H, W, in], temb [B, T], context [B, L, cross]. */
  forward(x: tf.Tensor4D, temb: tf.Tensor2D, context: tf.Tensor3D, runtime: BlockRuntime): DownBlockOutput {
    let hidden = x;
    const states: tf.Tensor4D[] = [];
    for (let i = 0; i < this.resnets.length; i++) {
      hidden = this.resnets.at(i).forward(hidden, temb, runtime);
      hidden = this.attentions.at(i).forward(hidden, context, runtime);
      states.push(hidden);
    }
    if (this.downsamplers !== null) {
      hidden = this.downsamplers.at(0).forward(hidden);
      states.push(hidden);
    }
    return { hidden, states };
  }
}
