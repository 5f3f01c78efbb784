import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import { LayerNorm } from '../nn/LayerNorm.js';
import { Module } from '../nn/Module.js';
import { CLIPEncoder } from './CLIPEncoder.js';
import type { CLIPTextConfig } from './CLIPTextConfig.js';
import { CLIPTextEmbeddings } from './CLIPTextEmbeddings.js';
import { eosPositions } from './eosPositions.js';

/** Options of a CLIP text forward pass. */
export interface CLIPTextForwardOptions {
  /** Also return every hidden state (transformers `output_hidden_states=True`). */
  readonly outputHiddenStates?: boolean;
  /** Queries per attention chunk (memory-efficient attention, same numbers); default: the model's setting. */
  readonly attentionChunkSize?: number;
}

/** What CLIPTextTransformer returns. */
export interface CLIPTextTransformerOutput {
  /** final_layer_norm(last layer) [B, L, hidden]. */
  readonly lastHiddenState: tf.Tensor3D;
  /** lastHiddenState at each row's end-of-text position [B, hidden]. */
  readonly poolerOutput: tf.Tensor2D;
  /** [0] = embeddings, [i] = output of layer i (not final-layer-normed); num_hidden_layers + 1 entries. */
  readonly hiddenStates?: tf.Tensor3D[];
}

/** transformers CLIPTextTransformer (what CLIPTextModel holds as `text_model`). */
export class CLIPTextTransformer extends Module {
  readonly config: CLIPTextConfig;
  readonly embeddings: CLIPTextEmbeddings;
  readonly encoder: CLIPEncoder;
  readonly final_layer_norm: LayerNorm;

  constructor(config: CLIPTextConfig) {
    super();
    this.config = config;
    this.embeddings = this.registerModule('embeddings', new CLIPTextEmbeddings(config));
    this.encoder = this.registerModule('encoder', new CLIPEncoder(config));
    this.final_layer_norm = this.registerModule('final_layer_norm', new LayerNorm(config.hidden_size, { eps: config.layer_norm_eps }));
  }

  /** ids int32 [B, L] (1 ≤ L ≤ max_position_embeddings, ids < vocab_size). */
  forward(ids: tf.Tensor2D, options: CLIPTextForwardOptions = {}): CLIPTextTransformerOutput {
    const values = this.#checkIds(ids);
    const [batch, length] = ids.shape;
    const pooled = eosPositions(values, batch, length, this.config.eos_token_id);
    return tf.tidy(() => {
      const call = { causal: true, queryChunkSize: options.attentionChunkSize };
      let hidden = this.embeddings.forward(ids);
      const hiddenStates: tf.Tensor3D[] = [hidden];
      for (const layer of this.encoder.layers) {
        hidden = layer.forward(hidden, call);
        hiddenStates.push(hidden);
      }
      const lastHiddenState = this.final_layer_norm.forward(hidden) as tf.Tensor3D;
      const rows = Int32Array.from(pooled, (position, row) => row * length + position);
      const poolerOutput = tf.gather(tf.reshape(lastHiddenState, [batch * length, -1]), tf.tensor1d(rows, 'int32')) as tf.Tensor2D;
      return options.outputHiddenStates === true ? { lastHiddenState, poolerOutput, hiddenStates } : { lastHiddenState, poolerOutput };
    });
  }

  #checkIds(ids: tf.Tensor2D): Int32Array {
    const { max_position_embeddings: maxLength, vocab_size: vocab } = this.config;
    if (ids.rank !== 2 || ids.dtype !== 'int32' || ids.shape[0] < 1 || ids.shape[1] < 1 || ids.shape[1] > maxLength) {
      throw new SdxlError(
        ErrorCode.MODEL_INPUT_INVALID,
        `CLIP text model input_ids must be an int32 tensor [batch, length] with 1 <= length <= ${maxLength}, got ${ids.dtype} [${ids.shape.join(', ')}]`,
        { details: { shape: ids.shape, dtype: ids.dtype } },
      );
    }
    // why: ids are small ([B, 77]); reading them lets us check the range (tf.gather does not on every backend) and
    // pick the pooled positions exactly as transformers does.
    const values = ids.dataSync() as Int32Array;
    const bad = values.findIndex((id) => id < 0 || id >= vocab);
    if (bad >= 0) {
      throw new SdxlError(ErrorCode.MODEL_INPUT_INVALID, `CLIP text model input_ids hold ${values[bad]} at flat index ${bad}; ids must be in [0, ${vocab})`, {
        details: { index: bad, value: values[bad] },
      });
    }
    return values;
  }
}
