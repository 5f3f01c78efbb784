import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link scaledDotProductAttention}. */
export interface AttentionOptions {
  /** Multiplies q·kᵀ; default 1/√head_dim. */
  readonly scale?: number;
  /** Query i sees keys j ≤ i only (top-left aligned, as torch's `is_causal` and transformers' 4-D causal mask). */
  readonly causal?: boolean;
  /**
   * Queries per chunk ("memory-efficient attention": the [B, Lq, Lk] score matrix exists one chunk of rows at a time).
   * Each query row's numbers are computed exactly as without chunking. Absent, 0 or ≥ Lq: one chunk.
   */
  readonly queryChunkSize?: number;
}

// why: transformers fills masked scores with torch.finfo(float32).min (modeling_attn_mask_utils.py), not -inf, so a
// row can never become NaN; softmax turns it into an exact 0.
const MASKED = -3.4028234663852886e38;

/**
 * softmax(scale·q·kᵀ [+ causal mask])·v for q [B, Lq, D], k [B, Lk, D], v [B, Lk, Dv] -> [B, Lq, Dv]; B is usually
 * batch × heads (see {@link splitHeads}). Written with batched matMul, slice and concat only (why: tf.einsum and
 * tf.stridedSlice have no gradient in tfjs-core 4.22, research/backend.md §1).
 */
export function scaledDotProductAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, options: AttentionOptions = {}): tf.Tensor3D {
  const [batch, queries, depth] = q.shape;
  const keys = k.shape[1];
  if (k.shape[0] !== batch || v.shape[0] !== batch || k.shape[2] !== depth || v.shape[1] !== keys) {
    throw new RangeError(`attention shapes do not fit: q [${q.shape.join(', ')}], k [${k.shape.join(', ')}], v [${v.shape.join(', ')}]`);
  }
  const scale = options.scale ?? 1 / Math.sqrt(depth);
  const chunk = options.queryChunkSize !== undefined && options.queryChunkSize > 0 ? Math.min(options.queryChunkSize, queries) : queries;
  if (!Number.isInteger(chunk)) throw new RangeError(`queryChunkSize must be an integer, got ${options.queryChunkSize}`);
  return tf.tidy(() => {
    // why: scaling q (Lq·D values) rather than the scores (Lq·Lk) is what transformers' CLIPAttention does.
    const scaled = tf.mul(q, scale);
    const outputs: tf.Tensor3D[] = [];
    for (let start = 0; start < queries; start += chunk) {
      const rows = Math.min(chunk, queries - start);
      const part = rows === queries ? scaled : tf.slice(scaled, [0, start, 0], [batch, rows, depth]);
      let scores: tf.Tensor3D = tf.matMul(part, k, false, true);
      if (options.causal === true) scores = tf.add(scores, causalMask(start, rows, keys));
      outputs.push(tf.matMul(tf.softmax(scores, -1), v));
    }
    return outputs.length === 1 ? outputs[0]! : tf.concat(outputs, 1);
  });
}

/** [rows, keys] additive mask for query rows start..start+rows-1: 0 where key ≤ query, the float32 minimum elsewhere. */
function causalMask(start: number, rows: number, keys: number): tf.Tensor2D {
  const mask = new Float32Array(rows * keys);
  for (let r = 0; r < rows; r++) mask.fill(MASKED, r * keys + Math.min(start + r + 1, keys), (r + 1) * keys);
  return tf.tensor2d(mask, [rows, keys]);
}

/** [B, L, heads·D] -> [B·heads, L, D] (transformers' `_shape` + view; diffusers' head_to_batch_dim). */
export function splitHeads(x: tf.Tensor3D, heads: number): tf.Tensor3D {
  const [batch, length, width] = x.shape;
  if (width % heads !== 0) throw new RangeError(`cannot split ${width} channels into ${heads} heads`);
  return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(x, [batch, length, heads, width / heads]), [0, 2, 1, 3]), [batch * heads, length, width / heads]));
}

/** [B·heads, L, D] -> [B, L, heads·D], the inverse of {@link splitHeads}. */
export function mergeHeads(x: tf.Tensor3D, heads: number): tf.Tensor3D {
  const [batchHeads, length, depth] = x.shape;
  if (batchHeads % heads !== 0) throw new RangeError(`a leading size of ${batchHeads} is not a multiple of ${heads} heads`);
  return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(x, [batchHeads / heads, heads, length, depth]), [0, 2, 1, 3]), [batchHeads / heads, length, heads * depth]));
}
