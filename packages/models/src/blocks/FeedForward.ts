import type * as tf from '@tensorflow/tfjs-core';
import { Linear } from '../nn/Linear.js';
import { Module } from '../nn/Module.js';
import { GEGLU } from './GEGLU.js';

/** FeedForward's `net` = ModuleList([GEGLU, Dropout, Linear]): children "0" and "2" (the dropout holds nothing). */
class FeedForwardNet extends Module {
  readonly geglu: GEGLU;
  readonly out: Linear;

  constructor(geglu: GEGLU, out: Linear) {
    super();
    this.geglu = this.registerModule('0', geglu);
    this.out = this.registerModule('2', out);
  }
}

/**
 * diffusers attention.py FeedForward with `activation_fn="geglu"` (what Transformer2DModel's blocks use): `net.0` GEGLU
 * to `mult·dim`, `net.1` dropout (0), `net.2` Linear back to `dim`.
 */
export class FeedForward extends Module {
  readonly net: FeedForwardNet;

  constructor(dim: number, mult = 4) {
    super();
    const inner = dim * mult;
    this.net = this.registerModule('net', new FeedForwardNet(new GEGLU(dim, inner), new Linear(inner, dim)));
  }

  /** x [..., dim] -> [..., dim]. */
  forward(x: tf.Tensor): tf.Tensor {
    return this.net.out.forward(this.net.geglu.forward(x));
  }
}
