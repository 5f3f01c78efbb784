import * as tf from '@tensorflow/tfjs-core';
import { ErrorCode, SdxlError } from '@sdxl-trainer/errors';
import type { CLIPTextModel, CLIPTextModelWithProjection } from '@sdxl-trainer/models';
import type { CLIPTokenizer } from '@sdxl-trainer/tokenizers';
import { checkEmbeddings } from './checkEmbeddings.js';
import type { PipelineComponents } from './PipelineComponents.js';

/** One prompt, or one per batch entry. */
export type Prompt = string | readonly string[];

/** What {@link encodePrompt} encodes (diffusers `StableDiffusionXLPipeline.encode_prompt`). */
export interface EncodePromptOptions {
  readonly prompt?: Prompt | undefined;
  /** For tokenizer_2 / text_encoder_2; default `prompt`. */
  readonly prompt2?: Prompt | undefined;
  /** Undefined with `force_zeros_for_empty_prompt` gives zero negative embeddings; any string (even "") is encoded. */
  readonly negativePrompt?: Prompt | undefined;
  readonly negativePrompt2?: Prompt | undefined;
  /** Precomputed `[B, 77, D]` embeddings instead of `prompt` (with `pooledPromptEmbeds`). */
  readonly promptEmbeds?: tf.Tensor3D | undefined;
  readonly pooledPromptEmbeds?: tf.Tensor2D | undefined;
  readonly negativePromptEmbeds?: tf.Tensor3D | undefined;
  readonly negativePooledPromptEmbeds?: tf.Tensor2D | undefined;
  /** Whether the negative branch is needed (guidance scale > 1). Default true. */
  readonly doClassifierFreeGuidance?: boolean | undefined;
  /** Each prompt's embeddings repeated this many times, consecutively (default 1). */
  readonly numImagesPerPrompt?: number | undefined;
  /** Layers skipped from the penultimate one (diffusers `clip_skip`; positive prompt only, as diffusers). */
  readonly clipSkip?: number | undefined;
}

/** SDXL's text conditioning; the caller owns the tensors (see {@link disposePromptEmbeddings}). */
export interface PromptEmbeddings {
  /** `[B·n, 77, 2048]` for SDXL: both encoders' penultimate hidden states, concatenated. */
  readonly promptEmbeds: tf.Tensor3D;
  /** `[B·n, 1280]` for SDXL: text_encoder_2's projected pooled output. */
  readonly pooledPromptEmbeds: tf.Tensor2D;
  /** Null when no guidance was asked for. */
  readonly negativePromptEmbeds: tf.Tensor3D | null;
  readonly negativePooledPromptEmbeds: tf.Tensor2D | null;
  /** Human-readable notes, e.g. a prompt truncated to 77 tokens (diffusers logs these as warnings). */
  readonly warnings: readonly string[];
}

type Encoders = Pick<PipelineComponents, 'textEncoder' | 'textEncoder2' | 'tokenizer' | 'tokenizer2' | 'forceZerosForEmptyPrompt'>;

/** Frees the tensors of a {@link PromptEmbeddings}. */
export function disposePromptEmbeddings(embeddings: PromptEmbeddings): void {
  tf.dispose([embeddings.promptEmbeds, embeddings.pooledPromptEmbeds, embeddings.negativePromptEmbeds ?? [], embeddings.negativePooledPromptEmbeds ?? []]);
}

/**
 * diffusers 0.27.2 `StableDiffusionXLPipeline.encode_prompt`: each prompt through both tokenizers (max_length 77,
 * truncation) and text encoders, the penultimate hidden states concatenated (text_encoder first), the pooled output
 * from text_encoder_2; the negative branch is zeros when `negativePrompt` is undefined and force_zeros_for_empty_prompt
 * is set, otherwise the encoded negative prompt ("" when undefined). Everything repeated `numImagesPerPrompt` times.
 */
export function encodePrompt(encoders: Encoders, options: EncodePromptOptions): PromptEmbeddings {
  checkPromptInputs(options);
  const warnings: string[] = [];
  const repeats = options.numImagesPerPrompt ?? 1;
  if (!Number.isInteger(repeats) || repeats < 1) throw invalid(`numImagesPerPrompt must be a positive integer, got ${repeats}`, 'numImagesPerPrompt');
  const clipSkip = options.clipSkip;
  if (clipSkip !== undefined && (!Number.isInteger(clipSkip) || clipSkip < 0)) throw invalid(`clipSkip must be a non-negative integer, got ${clipSkip}`, 'clipSkip');
  const cfg = options.doClassifierFreeGuidance ?? true;

  const tensors = tf.tidy(() => {
    let embeds: tf.Tensor3D;
    let pooled: tf.Tensor2D;
    let batch: number;
    if (options.promptEmbeds !== undefined) {
      embeds = options.promptEmbeds;
      pooled = options.pooledPromptEmbeds!;
      batch = embeds.shape[0];
      checkEmbeddings(embeds, pooled, 'promptEmbeds', 'pooledPromptEmbeds');
    } else {
      const prompts = asList(options.prompt!);
      batch = prompts.length;
      const prompts2 = asList(options.prompt2 ?? options.prompt!);
      if (prompts2.length !== batch) throw invalid(`prompt2 has ${prompts2.length} entries but prompt has ${batch}`, 'prompt2');
      ({ embeds, pooled } = encodeTexts(encoders, prompts, prompts2, undefined, clipSkip, warnings));
    }

    let negative: tf.Tensor3D | null = null;
    let negativePooled: tf.Tensor2D | null = null;
    const zeroOut = options.negativePrompt === undefined && (encoders.forceZerosForEmptyPrompt ?? true);
    if (cfg && options.negativePromptEmbeds !== undefined) {
      negative = options.negativePromptEmbeds;
      negativePooled = options.negativePooledPromptEmbeds!;
      checkEmbeddings(negative, negativePooled, 'negativePromptEmbeds', 'negativePooledPromptEmbeds');
      if (negative.shape.join() !== embeds.shape.join()) {
        throw invalid(`negativePromptEmbeds [${negative.shape.join(', ')}] must have the shape of promptEmbeds [${embeds.shape.join(', ')}]`, 'negativePromptEmbeds');
      }
    } else if (cfg && zeroOut) {
      negative = tf.zerosLike(embeds);
      negativePooled = tf.zerosLike(pooled);
    } else if (cfg) {
      // why: Python's `negative_prompt or ""` and `negative_prompt_2 or negative_prompt`: empty values fall through.
      const first = truthy(options.negativePrompt) ? options.negativePrompt! : '';
      const second = truthy(options.negativePrompt2) ? options.negativePrompt2! : first;
      const negatives = typeof first === 'string' ? Array<string>(batch).fill(first) : [...first];
      const negatives2 = typeof second === 'string' ? Array<string>(batch).fill(second) : [...second];
      if (negatives.length !== batch || negatives2.length !== batch) {
        throw invalid(`negativePrompt has ${negatives.length} entries (negativePrompt2 ${negatives2.length}) but the prompt batch has ${batch}`, 'negativePrompt');
      }
      // why: diffusers tokenizes the negative prompt to prompt_embeds.shape[1] tokens and always takes hidden_states[-2].
      ({ embeds: negative, pooled: negativePooled } = encodeTexts(encoders, negatives, negatives2, embeds.shape[1], undefined, warnings));
    }

    // why: torch's repeat(1, n, 1).view(B·n, ...) puts each prompt's n copies next to each other.
    const order = tf.tensor1d(Array.from({ length: batch * repeats }, (_, i) => Math.floor(i / repeats)), 'int32');
    return [embeds, pooled, ...(negative === null ? [] : [negative, negativePooled!])].map((x) => tf.gather(x, order));
  });
  return {
    promptEmbeds: tensors[0] as tf.Tensor3D,
    pooledPromptEmbeds: tensors[1] as tf.Tensor2D,
    negativePromptEmbeds: (tensors[2] as tf.Tensor3D | undefined) ?? null,
    negativePooledPromptEmbeds: (tensors[3] as tf.Tensor2D | undefined) ?? null,
    warnings: [...new Set(warnings)],
  };
}

/** Both (or, without text_encoder, the second) encoders on a batch of texts: concatenated hidden states and the pooled output. */
function encodeTexts(
  encoders: Encoders,
  texts: readonly string[],
  texts2: readonly string[],
  maxLength: number | undefined,
  clipSkip: number | undefined,
  warnings: string[],
): { embeds: tf.Tensor3D; pooled: tf.Tensor2D } {
  const { textEncoder, textEncoder2, tokenizer, tokenizer2 } = encoders;
  if (textEncoder2 === null || tokenizer2 === null) {
    throw invalid('this pipeline was built without text_encoder_2 / tokenizer_2: pass promptEmbeds and pooledPromptEmbeds (and the negative ones for guidance) instead of prompts', 'prompt');
  }
  // why: diffusers zips [prompt, prompt_2] with the tokenizers present, so without text_encoder the second encoder reads `prompt`.
  const pairs: [CLIPTokenizer, CLIPTextModel | CLIPTextModelWithProjection, readonly string[]][] =
    textEncoder !== null && tokenizer !== null ? [[tokenizer, textEncoder, texts], [tokenizer2, textEncoder2, texts2]] : [[tokenizer2, textEncoder2, texts]];
  const hidden: tf.Tensor3D[] = [];
  let pooled: tf.Tensor2D | undefined;
  for (const [tok, encoder, batch] of pairs) {
    const length = maxLength ?? tok.modelMaxLength;
    const { inputIds, shape } = tok.encode(batch, { padding: 'max_length', maxLength: length, truncation: true });
    if (maxLength === undefined) warnings.push(...truncationWarnings(tok, batch, length));
    const ids = tf.tensor2d(inputIds, [shape[0], shape[1]], 'int32');
    const output = encoder.forward(ids, { outputHiddenStates: true });
    const states = output.hiddenStates!;
    const index = states.length - 2 - (clipSkip ?? 0);
    if (index < 0) throw invalid(`clipSkip ${clipSkip} skips more layers than the text encoder has (${states.length - 1})`, 'clipSkip');
    hidden.push(states[index]!);
    // why: encode_prompt keeps `output[0]` of the LAST encoder: text_embeds for CLIPTextModelWithProjection.
    pooled = 'textEmbeds' in output ? (output.textEmbeds as tf.Tensor2D) : output.poolerOutput;
  }
  return { embeds: hidden.length === 1 ? hidden[0]! : (tf.concat(hidden, -1) as tf.Tensor3D), pooled: pooled! };
}

/** diffusers' "the following part of your input was truncated" warning, one per truncated prompt. */
function truncationWarnings(tok: CLIPTokenizer, texts: readonly string[], maxLength: number): string[] {
  const warnings: string[] = [];
  for (const text of texts) {
    const { inputIds } = tok.encode(text, { padding: false, truncation: false });
    if (inputIds.length <= maxLength) continue;
    const removed = tok.decode(inputIds.subarray(maxLength - 1, inputIds.length - 1), { skipSpecialTokens: true });
    warnings.push(`the prompt was truncated to ${maxLength} tokens (CLIP's limit); dropped: "${removed}"`);
  }
  return warnings;
}

/** diffusers `check_inputs` for the prompt arguments. */
function checkPromptInputs(options: EncodePromptOptions): void {
  const { prompt, prompt2, promptEmbeds, pooledPromptEmbeds, negativePrompt, negativePrompt2, negativePromptEmbeds, negativePooledPromptEmbeds } = options;
  if (prompt !== undefined && promptEmbeds !== undefined) throw invalid('pass either prompt or promptEmbeds, not both', 'prompt');
  if (prompt2 !== undefined && promptEmbeds !== undefined) throw invalid('pass either prompt2 or promptEmbeds, not both', 'prompt2');
  if (prompt === undefined && promptEmbeds === undefined) throw invalid('a prompt (or promptEmbeds) is required', 'prompt');
  if (prompt !== undefined && typeof prompt !== 'string' && (!Array.isArray(prompt) || prompt.length === 0 || prompt.some((p) => typeof p !== 'string'))) {
    throw invalid(`prompt must be a string or a non-empty array of strings, got ${JSON.stringify(prompt)}`, 'prompt');
  }
  if (negativePrompt !== undefined && negativePromptEmbeds !== undefined) throw invalid('pass either negativePrompt or negativePromptEmbeds, not both', 'negativePrompt');
  if (negativePrompt2 !== undefined && negativePromptEmbeds !== undefined) throw invalid('pass either negativePrompt2 or negativePromptEmbeds, not both', 'negativePrompt2');
  if (promptEmbeds !== undefined && pooledPromptEmbeds === undefined) throw invalid('promptEmbeds needs pooledPromptEmbeds (from the same text encoder 2)', 'pooledPromptEmbeds');
  if (negativePromptEmbeds !== undefined && negativePooledPromptEmbeds === undefined) {
    throw invalid('negativePromptEmbeds needs negativePooledPromptEmbeds (from the same text encoder 2)', 'negativePooledPromptEmbeds');
  }
}

function asList(prompt: Prompt): readonly string[] {
  return typeof prompt === 'string' ? [prompt] : prompt;
}

function truthy(prompt: Prompt | undefined): boolean {
  return prompt !== undefined && prompt.length > 0;
}

function invalid(message: string, field: string): SdxlError {
  return new SdxlError(ErrorCode.PIPELINE_INPUT_INVALID, `encodePrompt: ${message}`, { details: { field } });
}
