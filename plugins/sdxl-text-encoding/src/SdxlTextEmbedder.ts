import * as tf from '@tensorflow/tfjs-core';
import type { HostTensor } from '@sdxl-trainer/core';
import type { TextEmbedder } from '@sdxl-trainer/data';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { CLIPTextModel, CLIPTextModelWithProjection } from '@sdxl-trainer/models';
import type { CLIPTokenizer } from '@sdxl-trainer/tokenizers';

/** The four components SDXL's prompt encoding needs (the script's `tokenizers` and `text_encoders` lists). */
export interface SdxlTextComponents {
  readonly tokenizer: CLIPTokenizer;
  readonly tokenizer2: CLIPTokenizer;
  readonly textEncoder: CLIPTextModel | CLIPTextModelWithProjection;
  /** Must have a projection: its `text_embeds` are SDXL's pooled prompt embeddings. */
  readonly textEncoder2: CLIPTextModelWithProjection;
}

/** SDXL's text conditioning of a batch of prompts, as tensors the caller owns. */
export interface SdxlPromptTensors {
  /** `[B, 77, 768 + 1280]` for SDXL. */
  readonly promptEmbeds: tf.Tensor3D;
  /** `[B, 1280]` for SDXL. */
  readonly pooled: tf.Tensor2D;
}

/**
 * A `TextEmbedder` over both CLIP text encoders, computing exactly what train_text_to_image_sdxl.py's
 * `encode_prompt` computes: each tokenizer pads to its `model_max_length` with truncation, each encoder runs with
 * `output_hidden_states=True`, the penultimate hidden states (`hidden_states[-2]`, not final-layer-normed) are
 * concatenated on the last axis (text_encoder first), and the pooled embedding is text_encoder_2's `text_embeds`.
 * Prompts go through the encoders `batchSize` at a time. The models belong to this object until {@link dispose}.
 */
export class SdxlTextEmbedder implements TextEmbedder {
  #components: SdxlTextComponents | undefined;

  /**
   * @param id model identity for cache keys (both encoders' and tokenizers' sources and revisions).
   * @param batchSize prompts per forward pass.
   */
  constructor(
    components: SdxlTextComponents,
    readonly id: string,
    readonly batchSize = 8,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new SdxlError(ErrorCode.CONFIG_INVALID, `SdxlTextEmbedder batchSize must be a positive integer, got ${batchSize}`, { details: { field: 'batchSize', value: batchSize } });
    }
    this.#components = components;
  }

  /** The loaded components (MODEL_NOT_MATERIALIZED once disposed). */
  get components(): SdxlTextComponents {
    if (!this.#components) {
      throw new SdxlError(ErrorCode.MODEL_NOT_MATERIALIZED, 'the SDXL text encoders were freed after the precompute; encode prompts before that, or keep your own copy of the encoders');
    }
    return this.#components;
  }

  /** Whether the encoders have been freed. */
  get disposed(): boolean {
    return this.#components === undefined;
  }

  /** One `[77, D1 + D2]` prompt embedding and one `[P]` pooled embedding per prompt, on the host (what the precompute caches). */
  async encode(prompts: readonly string[]): Promise<{ promptEmbeds: HostTensor[]; pooled: HostTensor[] }> {
    const promptEmbeds: HostTensor[] = [];
    const pooled: HostTensor[] = [];
    for (let start = 0; start < prompts.length; start += this.batchSize) {
      const out = this.encodeTensors(prompts.slice(start, start + this.batchSize));
      try {
        promptEmbeds.push(...splitRows(await out.promptEmbeds.data<'float32'>(), out.promptEmbeds.shape));
        pooled.push(...splitRows(await out.pooled.data<'float32'>(), out.pooled.shape));
      } finally {
        tf.dispose([out.promptEmbeds, out.pooled]);
      }
    }
    return { promptEmbeds, pooled };
  }

  /** The embeddings of one batch of prompts as tensors, in a single forward pass per encoder (the caller disposes them). */
  encodeTensors(prompts: readonly string[]): SdxlPromptTensors {
    if (prompts.length === 0) throw new SdxlError(ErrorCode.MODEL_INPUT_INVALID, 'SdxlTextEmbedder.encodeTensors needs at least one prompt');
    const { tokenizer, tokenizer2, textEncoder, textEncoder2 } = this.components;
    return tf.tidy(() => {
      const penultimate = (tok: CLIPTokenizer, encoder: CLIPTextModel | CLIPTextModelWithProjection): tf.Tensor3D => {
        // why: encode_prompt — tokenizer(captions, padding="max_length", max_length=tokenizer.model_max_length, truncation=True).
        const { inputIds, shape } = tok.encode(prompts, { padding: 'max_length', maxLength: tok.modelMaxLength, truncation: true });
        const ids = tf.tensor2d(inputIds, [shape[0], shape[1]], 'int32');
        return encoder.forward(ids, { outputHiddenStates: true }).hiddenStates!.at(-2)!;
      };
      const hidden1 = penultimate(tokenizer, textEncoder);
      const { inputIds, shape } = tokenizer2.encode(prompts, { padding: 'max_length', maxLength: tokenizer2.modelMaxLength, truncation: true });
      const second = textEncoder2.forward(tf.tensor2d(inputIds, [shape[0], shape[1]], 'int32'), { outputHiddenStates: true });
      // why: encode_prompt keeps `prompt_embeds[0]` of the LAST encoder, which is text_embeds for CLIPTextModelWithProjection.
      return { promptEmbeds: tf.concat([hidden1, second.hiddenStates!.at(-2)!], -1) as tf.Tensor3D, pooled: second.textEmbeds };
    });
  }

  /** Free both encoders' weights; later calls fail with MODEL_NOT_MATERIALIZED. Idempotent. */
  dispose(): void {
    const components = this.#components;
    this.#components = undefined;
    components?.textEncoder.dispose();
    components?.textEncoder2.dispose();
  }
}

/** The rows of a row-major `[B, ...]` array as host tensors of shape `[...]` (copies, so the batch buffer can go). */
function splitRows(values: Float32Array, shape: readonly number[]): HostTensor[] {
  const [batch, ...rest] = shape;
  const size = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: batch! }, (_, i) => ({ data: values.slice(i * size, (i + 1) * size), shape: rest }));
}
