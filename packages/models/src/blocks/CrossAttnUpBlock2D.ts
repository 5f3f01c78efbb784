import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../nn/Module.js';
import { ModuleList } from '../nn/ModuleList.js';
import type { BlockRuntime } from './BlockRuntime.js';
import { ResnetBlock2D } from './ResnetBlock2D.js';
import type { CrossAttentionSettings, ResnetSettings } from './ResnetSettings.js';
import { Transformer2DModel } from './Transformer2DModel.js';
import { upResnetChannels, type UpBlockChannels } from './UpBlock2D.js';
import { Upsample2D } from './Upsample2D.js';

/**
 * diffusers unet_2d_blocks.py CrossAttnUpBlock2D: per layer, concatenate the last remaining skip, ResnetBlock2D,
 * Transformer2DModel; then an optional Upsample2D.
 */
export class CrossAttnUpBlock2D extends Module {
  readonly attentions: ModuleList<Transformer2DModel>;
  readonly resnets: ModuleList<ResnetBlock2D>;
  readonly upsamplers: ModuleList<Upsample2D> | null;

  constructor(channels: UpBlockChannels, layers: number, resnet: ResnetSettings, attention: CrossAttentionSettings, addUpsample: boolean) {
    super();
    const out = channels.outChannels;
    const transformers = Array.from(
      { length: layers },
      (_, i) =>
        new Transformer2DModel({
          heads: attention.heads,
          dimHead: Math.floor(out / attention.heads),
          inChannels: out,
          layers: attention.transformerLayers[i]!,
          crossAttentionDim: attention.crossAttentionDim,
          normGroups: resnet.groups,
          useLinearProjection: attention.useLinearProjection,
        }),
    );
    const resnets = Array.from({ length: layers }, (_, i) => new ResnetBlock2D({ ...resnet, ...upResnetChannels(channels, layers, i) }));
    this.attentions = this.registerModule('attentions', new ModuleList(transformers));
    this.resnets = this.registerModule('resnets', new ModuleList(resnets));
    this.upsamplers = addUpsample ? this.registerModule('upsamplers', new ModuleList([new Upsample2D(out, out)])) : null;
  }

  /** x [B, H, W, C], skips (consumed from the end), temb [B, T], context [B, L, cross]. */
  forward(
    x: tf.Tensor4D,
    skips: readonly tf.Tensor4D[],
    temb: tf.Tensor2D,
    context: tf.Tensor3D,
    runtime: BlockRuntime,
    upsampleSize?: readonly [number, number],
  ): tf.Tensor4D {
    if (skips.length !== this.resnets.length) throw new RangeError(`an up block with ${this.resnets.length} resnets needs as many skip tensors, got ${skips.length}`);
    let hidden = x;
    for (let i = 0; i < this.resnets.length; i++) {
      hidden = this.resnets.at(i).forward(tf.concat([hidden, skips[skips.length - 1 - i]!], 3), temb, runtime);
      hidden = this.attentions.at(i).forward(hidden, context, runtime);
    }
    return this.upsamplers === null ? hidden : this.upsamplers.at(0).forward(hidden, upsampleSize);
  }
}
