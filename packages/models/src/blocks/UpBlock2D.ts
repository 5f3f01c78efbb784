import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../nn/Module.js';
import { ModuleList } from '../nn/ModuleList.js';
import type { BlockRuntime } from './BlockRuntime.js';
import { ResnetBlock2D } from './ResnetBlock2D.js';
import type { ResnetSettings } from './ResnetSettings.js';
import { Upsample2D } from './Upsample2D.js';

/** Channels of an up block (diffusers get_up_block's in_channels, prev_output_channel, out_channels). */
export interface UpBlockChannels {
  /** Channels of the deepest skip this block takes (its last resnet's skip). */
  readonly inChannels: number;
  /** Channels coming from the block below. */
  readonly prevOutputChannels: number;
  readonly outChannels: number;
}

/** Resnet i of an up block: (hidden + skip) channels in, out channels out (diffusers' res_skip_channels rule). */
export function upResnetChannels(channels: UpBlockChannels, layers: number, i: number): { inChannels: number; outChannels: number } {
  const skip = i === layers - 1 ? channels.inChannels : channels.outChannels;
  const hidden = i === 0 ? channels.prevOutputChannels : channels.outChannels;
  return { inChannels: hidden + skip, outChannels: channels.outChannels };
}

/**
 * diffusers unet_2d_blocks.py UpBlock2D: per layer, concatenate the last remaining skip after the hidden state
 * (`cat([hidden, skip], dim=1)`, channels last here) and run a ResnetBlock2D; then an optional Upsample2D.
 */
export class UpBlock2D extends Module {
  readonly resnets: ModuleList<ResnetBlock2D>;
  readonly upsamplers: ModuleList<Upsample2D> | null;

  constructor(channels: UpBlockChannels, layers: number, resnet: ResnetSettings, addUpsample: boolean) {
    super();
    const resnets = Array.from({ length: layers }, (_, i) => new ResnetBlock2D({ ...resnet, ...upResnetChannels(channels, layers, i) }));
    this.resnets = this.registerModule('resnets', new ModuleList(resnets));
    this.upsamplers = addUpsample ? this.registerModule('upsamplers', new ModuleList([new Upsample2D(channels.outChannels, channels.outChannels)])) : null;
  }

  /** x [B, H, W, C], skips (the last `resnets.length` of the down path, consumed from the end). */
  forward(x: tf.Tensor4D, skips: readonly tf.Tensor4D[], temb: tf.Tensor2D, runtime: BlockRuntime, upsampleSize?: readonly [number, number]): tf.Tensor4D {
    if (skips.length !== this.resnets.length) throw new RangeError(`an up block with ${this.resnets.length} resnets needs as many skip tensors, got ${skips.length}`);
    let hidden = x;
    for (let i = 0; i < this.resnets.length; i++) {
      hidden = this.resnets.at(i).forward(tf.concat([hidden, skips[skips.length - 1 - i]!], 3), temb, runtime);
    }
    return this.upsamplers === null ? hidden : this.upsamplers.at(0).forward(hidden, upsampleSize);
  }
}
