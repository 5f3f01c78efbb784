import * as tf from '@tensorflow/tfjs-core';

/**
 * softmax(scale·q·kᵀ)·v for q [B, Lq, D], k [B, Lk, D], v [B, Lk, Dv], a chunk of `queryChunkSize` queries at a time in
 * the forward AND the backward pass: the [B, Lq, Lk] probabilities never exist whole, not even on the gradient tape.
 * This is our answer to diffusers' `--enable_xformers_memory_efficient_attention` (xFormers / FlashAttention keep
 * only the inputs and recompute each block's probabilities in the backward pass).
 *
 * Forward numbers equal {@link scaledDotProductAttention} with the same chunk size (the same per-row arithmetic). The
 * backward is the softmax-attention gradient written out (tf.customGrad), per chunk c with P = softmax(S), S = scale·Q_c·Kᵀ:
 * dV += Pᵀ·dO_c, dP = dO_c·Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ_c = scale·dS·K, dK += scale·dSᵀ·Q_c. It matches
 * autodiff of the plain path up to float rounding of the sums over chunks.
 */
export function chunkedAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, scale: number, queryChunkSize: number): tf.Tensor3D {
  const [batch, queries, depth] = q.shape;
  const keys = k.shape[1];
  if (k.shape[0] !== batch || v.shape[0] !== batch || k.shape[2] !== depth || v.shape[1] !== keys) {
    throw new RangeError(`attention shapes do not fit: q [${q.shape.join(', ')}], k [${k.shape.join(', ')}], v [${v.shape.join(', ')}]`);
  }
  if (!Number.isInteger(queryChunkSize) || queryChunkSize < 1) throw new RangeError(`queryChunkSize must be a positive integer, got ${queryChunkSize}`);
  const chunk = Math.min(queryChunkSize, queries);
  const starts = Array.from({ length: Math.ceil(queries / chunk) }, (_, i) => i * chunk);
  const rowsOf = (start: number): number => Math.min(chunk, queries - start);
  const part = (x: tf.Tensor3D, start: number): tf.Tensor3D =>
    rowsOf(start) === queries ? x : tf.slice(x, [0, start, 0], [batch, rowsOf(start), x.shape[2]]);
  const probabilities = (scaled: tf.Tensor3D, kk: tf.Tensor3D, start: number): tf.Tensor3D =>
    tf.softmax(tf.matMul(part(scaled, start), kk, false, true), -1);

  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [qq, kk, vv] = args as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    const save = args[3] as tf.GradSaveFunc;
    const scaled = tf.mul(qq, scale) as tf.Tensor3D;
    const outputs = starts.map((start) => tf.tidy(() => tf.matMul(probabilities(scaled, kk, start), vv)));
    const value = outputs.length === 1 ? outputs[0]! : tf.concat(outputs, 1);
    save([qq, kk, vv]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [sq, sk, sv] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
      const scaledQ = tf.mul(sq, scale) as tf.Tensor3D;
      let dK: tf.Tensor = tf.zerosLike(sk);
      let dV: tf.Tensor = tf.zerosLike(sv);
      const dQ: tf.Tensor[] = [];
      for (const start of starts) {
        // why: one chunk's probabilities live only inside this tidy; the accumulators are swapped, not stacked.
        const [dQc, dKc, dVc] = tf.tidy(() => {
          const qc = part(scaledQ, start);
          const p = probabilities(scaledQ, sk, start);
          const dOut = part(dy as tf.Tensor3D, start);
          const dP = tf.matMul(dOut, sv, false, true);
          const dS = tf.mul(p, tf.sub(dP, tf.sum(tf.mul(dP, p), -1, true))) as tf.Tensor3D;
          return [tf.mul(tf.matMul(dS, sk), scale), tf.matMul(dS, qc, true, false), tf.matMul(p, dOut, true, false)];
        });
        dQ.push(dQc);
        const [nextK, nextV] = [tf.add(dK, dKc), tf.add(dV, dVc)];
        tf.dispose([dK, dV, dKc, dVc]);
        [dK, dV] = [nextK, nextV];
      }
      // why: dK was accumulated against the scaled queries, so it already carries the factor `scale`.
      return [dQ.length === 1 ? dQ[0]! : tf.concat(dQ, 1), dK, dV];
    };
    return { value, gradFunc };
  });
  return op(q, k, v) as tf.Tensor3D;
}
