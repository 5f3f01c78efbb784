import * as tf from '@tensorflow/tfjs-core';
import { mergeHeads, scaledDotProductAttention, splitHeads } from '../functional/attention.js';
import { chunkedAttention } from '../functional/chunkedAttention.js';
import { GroupNorm } from '../nn/GroupNorm.js';
import { Linear } from '../nn/Linear.js';
import { Module } from '../nn/Module.js';
import { ModuleList } from '../nn/ModuleList.js';

/** Options of {@link Attention} (diffusers attention_processor.py Attention arguments this package uses). */
export interface AttentionOptions {
  readonly queryDim: number;
  /** Width of the key/value source (cross-attention); null for self-attention. */
  readonly crossAttentionDim: number | null;
  readonly heads: number;
  readonly dimHead: number;
  /** Biases on to_q / to_k / to_v (diffusers `bias`; the UNet: false, the VAE: true). */
  readonly bias: boolean;
  /** Bias on to_out.0 (default true). */
  readonly outBias?: boolean;
  /** A GroupNorm over the query input first (the VAE's mid-block attention): groups and eps. */
  readonly groupNorm?: { readonly groups: number; readonly eps: number } | null;
  /** Add the input to the output (the VAE's mid block). */
  readonly residualConnection?: boolean;
  /** The output is divided by it (default 1). */
  readonly rescaleOutputFactor?: number;
}

/**
 * diffusers attention_processor.py Attention with AttnProcessor: [group_norm] → to_q(x), to_k/to_v(context ?? x) →
 * per head softmax(q·kᵀ·dim_head^-0.5)·v → to_out.0 → [+ x] → / rescale_output_factor. `upcast_attention` and
 * `upcast_softmax` only change precision below float32, so they do nothing here. `to_out.1` is dropout (0) and has
 * no parameters, so `to_out` holds one Linear.
 */
export class Attention extends Module {
  readonly heads: number;
  readonly scale: number;
  readonly group_norm: GroupNorm | null;
  readonly to_q: Linear;
  readonly to_k: Linear;
  readonly to_v: Linear;
  readonly to_out: ModuleList<Linear>;
  readonly #residual: boolean;
  readonly #rescale: number;

  constructor(options: AttentionOptions) {
    super();
    const inner = options.heads * options.dimHead;
    const context = options.crossAttentionDim ?? options.queryDim;
    this.heads = options.heads;
    this.scale = options.dimHead ** -0.5;
    this.#residual = options.residualConnection ?? false;
    this.#rescale = options.rescaleOutputFactor ?? 1;
    const norm = options.groupNorm ?? null;
    this.group_norm = norm === null ? null : this.registerModule('group_norm', new GroupNorm(norm.groups, options.queryDim, { eps: norm.eps }));
    this.to_q = this.registerModule('to_q', new Linear(options.queryDim, inner, { bias: options.bias }));
    this.to_k = this.registerModule('to_k', new Linear(context, inner, { bias: options.bias }));
    this.to_v = this.registerModule('to_v', new Linear(context, inner, { bias: options.bias }));
    this.to_out = this.registerModule('to_out', new ModuleList([new Linear(inner, options.queryDim, { bias: options.outBias ?? true })]));
  }

  /** x [B, L, query] and an optional context [B, Lk, cross] -> [B, L, query]; `chunk` queries at a time when given. */
  forward(x: tf.Tensor3D, context: tf.Tensor3D | null, chunk: number | undefined): tf.Tensor3D {
    return tf.tidy(() => {
      const normed = this.group_norm === null ? x : (this.group_norm.forward(x) as tf.Tensor3D);
      const source = context ?? normed;
      const q = splitHeads(this.to_q.forward(normed) as tf.Tensor3D, this.heads);
      const k = splitHeads(this.to_k.forward(source) as tf.Tensor3D, this.heads);
      const v = splitHeads(this.to_v.forward(source) as tf.Tensor3D, this.heads);
      const attended =
        chunk !== undefined && chunk > 0 && chunk < q.shape[1]
          ? chunkedAttention(q, k, v, this.scale, chunk)
          : scaledDotProductAttention(q, k, v, { scale: this.scale });
      let out = this.to_out.at(0).forward(mergeHeads(attended, this.heads)) as tf.Tensor3D;
      if (this.#residual) out = tf.add(out, x);
      return this.#rescale === 1 ? out : (tf.div(out, this.#rescale) as tf.Tensor3D);
    });
  }

  /** The same over the pixels of NHWC x [B, H, W, C] (the VAE's spatial self-attention) -> [B, H, W, C]. */
  forwardSpatial(x: tf.Tensor4D, chunk: number | undefined): tf.Tensor4D {
    const [b, h, w, c] = x.shape;
    return tf.tidy(() => tf.reshape(this.forward(tf.reshape(x, [b, h * w, c]), null, chunk), [b, h, w, c]));
  }
}
