// Test helpers: independent references and deterministic data. Not part of the published package.
import * as tf from '@tensorflow/tfjs-core';

/** Deterministic values in [-1, 1) from a 32-bit LCG (Numerical Recipes constants). */
export function seeded(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Largest |a − b| over two equally long arrays (throws on a length mismatch). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** Largest |a|. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] as number));
  return m;
}

/** Runs `fn` on `backend` (made active first) and returns the values of every tensor it returns. */
export async function valuesOn(backend: string, fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(fn);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(list);
  return values;
}

/** Explicit padding as TensorFlow computes it: 'same' splits the total, the extra row/col going last. */
export function explicitPads(
  inSize: number,
  k: number,
  stride: number,
  pad: 'same' | 'valid' | [number, number],
): { before: number; out: number } {
  if (pad === 'valid') return { before: 0, out: Math.floor((inSize - k) / stride) + 1 };
  if (pad === 'same') {
    const out = Math.ceil(inSize / stride);
    const total = Math.max((out - 1) * stride + k - inSize, 0);
    return { before: Math.floor(total / 2), out };
  }
  return { before: pad[0], out: Math.floor((inSize + pad[0] + pad[1] - k) / stride) + 1 };
}

/** The conv2d weight gradient by its definition, in float64 loops: dW[kh,kw,ci,co] = Σ x_pad·dy. */
export function naiveConvFilterGrad(
  x: Float32Array,
  xShape: [number, number, number, number],
  dy: Float32Array,
  k: [number, number],
  co: number,
  stride: number,
  pad: 'same' | 'valid' | [number, number, number, number],
): Float64Array {
  const [n, h, w, ci] = xShape;
  const ph = explicitPads(h, k[0], stride, Array.isArray(pad) ? [pad[0], pad[1]] : pad);
  const pw = explicitPads(w, k[1], stride, Array.isArray(pad) ? [pad[2], pad[3]] : pad);
  const dw = new Float64Array(k[0] * k[1] * ci * co);
  for (let b = 0; b < n; b++)
    for (let oh = 0; oh < ph.out; oh++)
      for (let ow = 0; ow < pw.out; ow++)
        for (let i = 0; i < k[0]; i++)
          for (let j = 0; j < k[1]; j++) {
            const r = oh * stride + i - ph.before;
            const c = ow * stride + j - pw.before;
            if (r < 0 || r >= h || c < 0 || c >= w) continue;
            for (let a = 0; a < ci; a++) {
              const xv = x[((b * h + r) * w + c) * ci + a] as number;
              for (let o = 0; o < co; o++) {
                dw[((i * k[1] + j) * ci + a) * co + o]! += xv * (dy[((b * ph.out + oh) * pw.out + ow) * co + o] as number);
              }
            }
          }
  return dw;
}

/** The conv2d input gradient by its definition, in float64 loops: dX[x_pad pos] += W·dy. */
export function naiveConvInputGrad(
  xShape: [number, number, number, number],
  filter: Float32Array,
  k: [number, number],
  co: number,
  dy: Float32Array,
  stride: number,
  pad: 'same' | 'valid' | [number, number, number, number],
): Float64Array {
  const [n, h, w, ci] = xShape;
  const ph = explicitPads(h, k[0], stride, Array.isArray(pad) ? [pad[0], pad[1]] : pad);
  const pw = explicitPads(w, k[1], stride, Array.isArray(pad) ? [pad[2], pad[3]] : pad);
  const dx = new Float64Array(n * h * w * ci);
  for (let b = 0; b < n; b++)
    for (let oh = 0; oh < ph.out; oh++)
      for (let ow = 0; ow < pw.out; ow++)
        for (let i = 0; i < k[0]; i++)
          for (let j = 0; j < k[1]; j++) {
            const r = oh * stride + i - ph.before;
            const c = ow * stride + j - pw.before;
            if (r < 0 || r >= h || c < 0 || c >= w) continue;
            for (let a = 0; a < ci; a++)
              for (let o = 0; o < co; o++) {
                dx[((b * h + r) * w + c) * ci + a]! +=
                  (filter[((i * k[1] + j) * ci + a) * co + o] as number) * (dy[((b * ph.out + oh) * pw.out + ow) * co + o] as number);
              }
          }
  return dx;
}

const sizeOf = (s: number[]): number => s.reduce((p, d) => p * d, 1);

/** Batched matmul with numpy batch broadcasting, by definition in float64. */
export function naiveMatMul(a: Float32Array, as: number[], b: Float32Array, bs: number[], ta: boolean, tb: boolean): { values: Float64Array; shape: number[] } {
  const [m, k] = ta ? [as[as.length - 1]!, as[as.length - 2]!] : [as[as.length - 2]!, as[as.length - 1]!];
  const n = tb ? bs[bs.length - 2]! : bs[bs.length - 1]!;
  const oa = as.slice(0, -2);
  const ob = bs.slice(0, -2);
  const rank = Math.max(oa.length, ob.length);
  const pa = [...new Array<number>(rank - oa.length).fill(1), ...oa];
  const pb = [...new Array<number>(rank - ob.length).fill(1), ...ob];
  const outer = pa.map((d, i) => Math.max(d, pb[i]!));
  const values = new Float64Array(sizeOf(outer) * m * n);
  for (let i = 0; i < sizeOf(outer); i++) {
    let rest = i;
    let ia = 0;
    let ib = 0;
    let sa = 1;
    let sb = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const coord = rest % outer[d]!;
      rest = Math.floor(rest / outer[d]!);
      ia += (pa[d] === 1 ? 0 : coord) * sa;
      ib += (pb[d] === 1 ? 0 : coord) * sb;
      sa *= pa[d]!;
      sb *= pb[d]!;
    }
    for (let r = 0; r < m; r++)
      for (let c = 0; c < n; c++) {
        let acc = 0;
        for (let j = 0; j < k; j++) {
          const av = a[ia * m * k + (ta ? j * m + r : r * k + j)]!;
          const bv = b[ib * k * n + (tb ? c * k + j : j * n + c)]!;
          acc += av * bv;
        }
        values[(i * m + r) * n + c] = acc;
      }
  }
  return { values, shape: [...outer, m, n] };
}

/**
 * Reference gradient independent of any backward kernel: resize (forward kernel) an image whose pixels
 * hold their own flat index, which tells for every output pixel its source pixel, then scatter-add dy.
 */
export async function resizeNearestGradReference(
  n: number, h: number, w: number, c: number, size: [number, number], alignCorners: boolean, halfPixelCenters: boolean, dy: Float32Array,
): Promise<Float64Array> {
  const [src] = await valuesOn('cpu', () =>
    tf.image.resizeNearestNeighbor(tf.reshape(tf.range(0, h * w, 1, 'float32'), [1, h, w, 1]) as tf.Tensor4D, size, alignCorners, halfPixelCenters),
  );
  const dx = new Float64Array(n * h * w * c);
  const [oh, ow] = size;
  for (let b = 0; b < n; b++)
    for (let p = 0; p < oh * ow; p++)
      for (let d = 0; d < c; d++) dx[(b * h * w + src![p]!) * c + d]! += dy[(b * oh * ow + p) * c + d]!;
  return dx;
}
