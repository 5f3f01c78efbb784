import * as tf from '@tensorflow/tfjs-core';

/**
 * Packs 8-bit codes (int32 values in [0, 255], length a multiple of 4) four to an int32: element k holds codes
 * 4k … 4k+3 as its little-endian bytes, so the int32 buffer read as bytes is the uint8 state buffer bitsandbytes
 * keeps. Call inside tf.tidy.
 */
export function packCodes(codes: tf.Tensor): tf.Tensor1D {
  const quads = tf.reshape(codes, [-1, 4]);
  // why: the fourth byte is stored as a signed value (c − 256 when c ≥ 128) so that no product or partial sum
  // leaves the int32 range; then every backend computes it exactly, with no reliance on overflow wrapping.
  const signedTop = tf.sub(quads, tf.mul(tf.floorDiv(quads, tf.scalar(128, 'int32')), topByteBias()));
  return tf.sum(tf.mul(signedTop, byteWeights()), 1) as tf.Tensor1D;
}

/**
 * Unpacks what {@link packCodes} made: int32 [q] → codes int32 [4q] in [0, 255]. Call inside tf.tidy.
 * why: wasm's int32 FloorDiv divides in float32 (tfjs-backend-wasm `FloorDiv.cc`), exact only below 2^24, so the
 * low bytes are first removed with Mod (exact integer arithmetic everywhere) and Sub; what is left is a multiple
 * of 256^k with at most 24 significant bits, which float32 holds exactly, and so FloorDiv by 256^k is exact.
 */
export function unpackCodes(packed: tf.Tensor1D): tf.Tensor1D {
  const column = tf.expandDims(packed, 1);
  const divisors = tf.tensor2d([[256, 65536, 16777216]], [1, 3], 'int32');
  const above = tf.floorDiv(tf.sub(column, tf.mod(column, divisors)), divisors);
  const bytes = tf.concat([tf.mod(column, tf.scalar(256, 'int32')), tf.mod(above, tf.scalar(256, 'int32'))], 1);
  return tf.reshape(bytes, [-1]);
}

function byteWeights(): tf.Tensor2D {
  return tf.tensor2d([[1, 256, 65536, 16777216]], [1, 4], 'int32');
}

function topByteBias(): tf.Tensor2D {
  return tf.tensor2d([[0, 0, 0, 256]], [1, 4], 'int32');
}
