import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../nn/Module.js';
import { ModuleList } from '../nn/ModuleList.js';
import type { BlockRuntime } from './BlockRuntime.js';
import { Downsample2D } from './Downsample2D.js';
import { ResnetBlock2D } from './ResnetBlock2D.js';
import type { ResnetSettings } from './ResnetSettings.js';

/** What a down block returns: the hidden state and the skip tensors it adds (diffusers' `output_states`). */
export interface DownBlockOutput {
  readonly hidden: tf.Tensor4D;
  readonly states: tf.Tensor4D[];
}

/**
 * diffusers unet_2d_blocks.py DownBlock2D (and DownEncoderBlock2D, the same modules without a time embedding):
 * `layers` ResnetBlock2D, then an optional Downsample2D; every resnet output and the downsampled output are skips.
 */
export class DownBlock2D extends Module {
  readonly resnets: ModuleList<ResnetBlock2D>;
  readonly downsamplers: ModuleList<Downsample2D> | null;

  constructor(inChannels: number, outChannels: number, layers: number, resnet: ResnetSettings, downsamplePadding: number | null) {
    super();
    const resnets = Array.from({ length: layers }, (_, i) => new ResnetBlock2D({ ...resnet, inChannels: i === 0 ? inChannels : outChannels, outChannels }));
    this.resnets = this.registerModule('resnets', new ModuleList(resnets));
    this.downsamplers =
      downsamplePadding === null ? null : this.registerModule('downsamplers', new ModuleList([new Downsample2D(outChannels, outChannels, downsamplePadding)]));
  }

  /** x [B, H, W, in], temb [B, T] or null. */
  forward(x: tf.Tensor4D, temb: tf.Tensor2D | null, runtime: BlockRuntime): DownBlockOutput {
    let hidden = x;
    const states: tf.Tensor4D[] = [];
    for (const resnet of this.resnets) {
      hidden = resnet.forward(hidden, temb, runtime);
      states.push(hidden);
    }
    if (this.downsamplers !== null) {
      hidden = this.downsamplers.at(0).forward(hidden);
      states.push(hidden);
    }
    return { hidden, states };
  }
}
