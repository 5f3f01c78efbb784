import type * as tf from '@tensorflow/tfjs-core';
import { Module } from '../nn/Module.js';
import { ModuleList } from '../nn/ModuleList.js';
import type { BlockRuntime } from './BlockRuntime.js';
import { ResnetBlock2D } from './ResnetBlock2D.js';
import type { ResnetSettings } from './ResnetSettings.js';
import { Upsample2D } from './Upsample2D.js';

/** diffusers unet_2d_blocks.py UpDecoderBlock2D (the VAE decoder's): `layers` ResnetBlock2D (no skips), then an optional Upsample2D. */
export class UpDecoderBlock2D extends Module {
  readonly resnets: ModuleList<ResnetBlock2D>;
  readonly upsamplers: ModuleList<Upsample2D> | null;

  constructor(inChannels: number, outChannels: number, layers: number, resnet: ResnetSettings, addUpsample: boolean) {
    super();
    const resnets = Array.from({ length: layers }, (_, i) => new ResnetBlock2D({ ...resnet, inChannels: i === 0 ? inChannels : outChannels, outChannels }));
    this.resnets = this.registerModule('resnets', new ModuleList(resnets));
    this.upsamplers = addUpsample ? this.registerModule('upsamplers', new ModuleList([new Upsample2D(outChannels, outChannels)])) : null;
  }

  /** x [B, H, W, in] -> [B, 2H, 2W, out] (or H, W without upsampler). */
  forward(x: tf.Tensor4D, runtime: BlockRuntime): tf.Tensor4D {
    let hidden = x;
    for (const resnet of this.resnets) hidden = resnet.forward(hidden, null, runtime);
    return this.upsamplers === null ? hidden : this.upsamplers.at(0).forward(hidden);
  }
}
