import type { Activation } from '../functional/activations.js';
import type { TimeEmbeddingNorm } from './ResnetBlock2D.js';

/** What every ResnetBlock2D of a block shares (diffusers' resnet_* block arguments). */
export interface ResnetSettings {
  /** Time embedding width; null in the VAE. */
  readonly tembChannels: number | null;
  readonly groups: number;
  readonly eps: number;
  readonly activation: Activation;
  readonly timeEmbeddingNorm: TimeEmbeddingNorm;
  /** Resnet outputs are divided by it (diffusers `output_scale_factor`). */
  readonly outputScaleFactor: number;
}

/** What the Transformer2DModels of a cross-attention block share. */
export interface CrossAttentionSettings {
  readonly heads: number;
  readonly crossAttentionDim: number;
  readonly useLinearProjection: boolean;
  /** BasicTransformerBlocks per Transformer2DModel, one entry per layer of the block. */
  readonly transformerLayers: readonly number[];
}
