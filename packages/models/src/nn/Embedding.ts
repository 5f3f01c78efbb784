import * as tf from '@tensorflow/tfjs-core';
import { Init } from './Init.js';
import { Module } from './Module.js';
import { Parameter } from './Parameter.js';

/** Options of {@link Embedding}. */
export interface EmbeddingOptions {
  /** Weight initialiser (default PyTorch's: N(0, 1)). */
  readonly init?: Init;
}

/**
 * torch.nn.Embedding: rows of a [num, dim] table by integer id. Note: the gradient of tf.gather is
 * UnsortedSegmentSum, which the stock wasm backend lacks; frozen embeddings never need it.
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.weight = this.registerParameter('weight', new Parameter([numEmbeddings, embeddingDim], { init: options.init ?? Init.normal(1) }));
  }

  /** ids (int32, any shape) -> [...ids.shape, dim]. Ids must be in [0, numEmbeddings). */
  forward(ids: tf.Tensor): tf.Tensor {
    return tf.gather(this.weight.tensor, ids);
  }
}
