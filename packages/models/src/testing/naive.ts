// An independent float64 implementation of the diffusers building blocks, written from diffusers' PyTorch code (NCHW,
// PyTorch weight layouts, plain loops). For tests only.

/** A float64 tensor in row-major order. */
export interface T64 {
  readonly shape: number[];
  readonly data: Float64Array;
}

export const t64 = (shape: number[], data?: ArrayLike<number>): T64 => ({ shape, data: data === undefined ? new Float64Array(shape.reduce((a, b) => a * b, 1)) : Float64Array.from(data) });
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export const erf = (x: number): number => {
  if (Math.abs(x) > 5) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 300; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
};
export const ACT: Record<string, (x: number) => number> = {
  silu: (x) => x / (1 + Math.exp(-x)),
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  mish: (x) => x * Math.tanh(Math.log1p(Math.exp(x))),
  relu: (x) => Math.max(0, x),
};

export const map = (x: T64, f: (v: number) => number): T64 => t64(x.shape, x.data.map(f));
export const add = (a: T64, b: T64): T64 => t64(a.shape, a.data.map((v, i) => v + b.data[i]!));

/** torch.nn.functional.group_norm on [N, C, ...]. */
export function groupNorm(x: T64, groups: number, weight: ArrayLike<number>, bias: ArrayLike<number>, eps: number): T64 {
  const [n, c] = x.shape as [number, number];
  const spatial = size(x.shape.slice(2));
  const per = (c / groups) * spatial;
  const out = t64(x.shape);
  for (let b = 0; b < n; b++) {
    for (let g = 0; g < groups; g++) {
      const start = (b * c + g * (c / groups)) * spatial;
      let mean = 0;
      for (let i = 0; i < per; i++) mean += x.data[start + i]!;
      mean /= per;
      let variance = 0;
      for (let i = 0; i < per; i++) variance += (x.data[start + i]! - mean) ** 2;
      variance /= per;
      for (let i = 0; i < per; i++) {
        const channel = g * (c / groups) + Math.floor(i / spatial);
        out.data[start + i] = ((x.data[start + i]! - mean) / Math.sqrt(variance + eps)) * weight[channel]! + bias[channel]!;
      }
    }
  }
  return out;
}

/** torch.nn.functional.conv2d, NCHW input, OIHW weight, symmetric padding. */
export function conv2d(x: T64, weight: T64, bias: ArrayLike<number> | null, stride = 1, padding = 0): T64 {
  const [n, ci, h, w] = x.shape as [number, number, number, number];
  const [co, , kh, kw] = weight.shape as [number, number, number, number];
  const oh = Math.floor((h + 2 * padding - kh) / stride) + 1;
  const ow = Math.floor((w + 2 * padding - kw) / stride) + 1;
  const out = t64([n, co, oh, ow]);
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < co; o++) {
      for (let y = 0; y < oh; y++) {
        for (let z = 0; z < ow; z++) {
          let sum = bias === null ? 0 : bias[o]!;
          for (let i = 0; i < ci; i++) {
            for (let dy = 0; dy < kh; dy++) {
              const sy = y * stride + dy - padding;
              if (sy < 0 || sy >= h) continue;
              for (let dz = 0; dz < kw; dz++) {
                const sz = z * stride + dz - padding;
                if (sz < 0 || sz >= w) continue;
                sum += x.data[((b * ci + i) * h + sy) * w + sz]! * weight.data[((o * ci + i) * kh + dy) * kw + dz]!;
              }
            }
          }
          out.data[((b * co + o) * oh + y) * ow + z] = sum;
        }
      }
    }
  }
  return out;
}

/** x·Wᵀ + b over the last axis, W [out, in]. */
export function linear(x: T64, weight: T64, bias: ArrayLike<number> | null): T64 {
  const [out, inF] = weight.shape as [number, number];
  const rows = x.data.length / inF;
  const y = t64([...x.shape.slice(0, -1), out]);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < out; o++) {
      let sum = bias === null ? 0 : bias[o]!;
      for (let i = 0; i < inF; i++) sum += x.data[r * inF + i]! * weight.data[o * inF + i]!;
      y.data[r * out + o] = sum;
    }
  }
  return y;
}

/** LayerNorm over the last axis. */
export function layerNorm(x: T64, weight: ArrayLike<number>, bias: ArrayLike<number>, eps: number): T64 {
  const c = x.shape.at(-1)!;
  const y = t64(x.shape);
  for (let r = 0; r < x.data.length / c; r++) {
    let mean = 0;
    for (let i = 0; i < c; i++) mean += x.data[r * c + i]!;
    mean /= c;
    let variance = 0;
    for (let i = 0; i < c; i++) variance += (x.data[r * c + i]! - mean) ** 2;
    variance /= c;
    for (let i = 0; i < c; i++) y.data[r * c + i] = ((x.data[r * c + i]! - mean) / Math.sqrt(variance + eps)) * weight[i]! + bias[i]!;
  }
  return y;
}

/** Multi-head softmax(q·kᵀ/√d)·v on [B, L, heads·d] projections (diffusers AttnProcessor). */
export function multiHead(q: T64, k: T64, v: T64, heads: number): T64 {
  const [b, lq, inner] = q.shape as [number, number, number];
  const lk = k.shape[1]!;
  const d = inner / heads;
  const out = t64([b, lq, inner]);
  for (let n = 0; n < b; n++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < lq; i++) {
        const scores = Array.from({ length: lk }, (_, j) => {
          let dot = 0;
          for (let c = 0; c < d; c++) dot += q.data[(n * lq + i) * inner + h * d + c]! * k.data[(n * lk + j) * inner + h * d + c]!;
          return dot / Math.sqrt(d);
        });
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const total = e.reduce((a, x) => a + x, 0);
        for (let c = 0; c < d; c++) {
          let sum = 0;
          for (let j = 0; j < lk; j++) sum += (e[j]! / total) * v.data[(n * lk + j) * inner + h * d + c]!;
          out.data[(n * lq + i) * inner + h * d + c] = sum;
        }
      }
    }
  }
  return out;
}

/** NCHW [B, C, H, W] <-> tokens [B, H·W, C]. */
export function toTokens(x: T64): T64 {
  const [b, c, h, w] = x.shape as [number, number, number, number];
  const y = t64([b, h * w, c]);
  for (let n = 0; n < b; n++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) y.data[(n * h * w + p) * c + ch] = x.data[(n * c + ch) * h * w + p]!;
  return y;
}
export function fromTokens(x: T64, h: number, w: number): T64 {
  const [b, , c] = x.shape as [number, number, number];
  const y = t64([b, c, h, w]);
  for (let n = 0; n < b; n++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) y.data[(n * c + ch) * h * w + p] = x.data[(n * h * w + p) * c + ch]!;
  return y;
}

/** NCHW data -> NHWC order (for comparing with tfjs outputs). */
export function nchwToNhwc(x: T64): Float64Array {
  const [b, c, h, w] = x.shape as [number, number, number, number];
  const y = new Float64Array(x.data.length);
  for (let n = 0; n < b; n++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) y[(n * h * w + p) * c + ch] = x.data[(n * c + ch) * h * w + p]!;
  return y;
}
