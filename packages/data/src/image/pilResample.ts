import type { PilFilter } from './InterpolationMode.js';

/** An 8-bit image with interleaved channels, row-major. */
export interface RawImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

type Kernel = { readonly filter: (x: number) => number; readonly support: number };

// Pillow src/libImaging/Resample.c: the filters, their supports, and the fixed-point precision of the 8-bit path.
const HAMMING_A = Math.fround(0.54); // why: Pillow writes `0.54f + 0.46f * cos(x)`: float literals, double math.
const HAMMING_B = Math.fround(0.46);
const sinc = (x: number): number => (x === 0 ? 1 : Math.sin(x * Math.PI) / (x * Math.PI));
const KERNELS: Readonly<Record<Exclude<PilFilter, 'nearest'>, Kernel>> = {
  box: { support: 0.5, filter: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, filter: (x) => (Math.abs(x) < 1 ? 1 - Math.abs(x) : 0) },
  hamming: {
    support: 1,
    filter: (x) => {
      const a = Math.abs(x);
      if (a === 0) return 1;
      if (a >= 1) return 0;
      const p = a * Math.PI;
      return (Math.sin(p) / p) * (HAMMING_A + HAMMING_B * Math.cos(p));
    },
  },
  bicubic: {
    support: 2,
    filter: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
  lanczos: { support: 3, filter: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};
const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;

interface Coefficients {
  readonly ksize: number;
  /** Per output pixel: first input index and number of taps. */
  readonly bounds: Int32Array;
  /** Fixed-point weights, `ksize` per output pixel. */
  readonly weights: Int32Array;
}

/** Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` for a full-image box. */
function coefficients(inSize: number, outSize: number, kernel: Kernel): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = kernel.support * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  const invFilterScale = 1 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5)); // why: C's (int) cast truncates toward zero.
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const w = kernel.filter((x + xmin - center + 0.5) * invFilterScale);
      k[x] = w;
      total += w;
    }
    for (let x = 0; x < ksize; x++) {
      const w = x < xmax && total !== 0 ? k[x]! / total : x < xmax ? k[x]! : 0;
      weights[xx * ksize + x] = Math.trunc(w < 0 ? -0.5 + w * ONE : 0.5 + w * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, weights };
}

/** Pillow's `clip8`: the accumulated fixed-point sum, shifted down and clamped to 0..255. */
function clip8(sum: number): number {
  const v = sum >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function horizontalPass(src: RawImage, rowStart: number, rows: number, outWidth: number, c: Coefficients): Uint8Array {
  const { channels, width } = src;
  const out = new Uint8Array(outWidth * rows * channels);
  for (let y = 0; y < rows; y++) {
    const inRow = (y + rowStart) * width * channels;
    const outRow = y * outWidth * channels;
    for (let xx = 0; xx < outWidth; xx++) {
      const xmin = c.bounds[xx * 2]!;
      const taps = c.bounds[xx * 2 + 1]!;
      const w0 = xx * c.ksize;
      for (let ch = 0; ch < channels; ch++) {
        let sum = ONE / 2;
        for (let x = 0; x < taps; x++) sum += src.data[inRow + (xmin + x) * channels + ch]! * c.weights[w0 + x]!;
        out[outRow + xx * channels + ch] = clip8(sum);
      }
    }
  }
  return out;
}

function verticalPass(src: RawImage, outHeight: number, c: Coefficients, rowShift: number): Uint8Array {
  const { channels, width } = src;
  const stride = width * channels;
  const out = new Uint8Array(stride * outHeight);
  for (let yy = 0; yy < outHeight; yy++) {
    const ymin = c.bounds[yy * 2]! - rowShift;
    const taps = c.bounds[yy * 2 + 1]!;
    const w0 = yy * c.ksize;
    for (let i = 0; i < stride; i++) {
      let sum = ONE / 2;
      for (let y = 0; y < taps; y++) sum += src.data[(ymin + y) * stride + i]! * c.weights[w0 + y]!;
      out[yy * stride + i] = clip8(sum);
    }
  }
  return out;
}

/** Pillow's nearest-neighbour resize (`ImagingScaleAffine`): sample at `(x + 0.5) * scale`, accumulated as Pillow does. */
function nearest(src: RawImage, outWidth: number, outHeight: number): Uint8Array {
  const { channels, width, height } = src;
  const xs = new Int32Array(outWidth);
  const ax = width / outWidth;
  let xo = ax * 0.5; // why: Pillow adds the step to a running double, so the indices carry its rounding.
  for (let x = 0; x < outWidth; x++) {
    xs[x] = Math.min(width - 1, Math.max(0, Math.trunc(xo)));
    xo += ax;
  }
  const out = new Uint8Array(outWidth * outHeight * channels);
  const ay = height / outHeight;
  let yo = ay * 0.5;
  for (let y = 0; y < outHeight; y++) {
    const inRow = Math.min(height - 1, Math.max(0, Math.trunc(yo))) * width * channels;
    yo += ay;
    const outRow = y * outWidth * channels;
    for (let x = 0; x < outWidth; x++) {
      const from = inRow + xs[x]! * channels;
      for (let ch = 0; ch < channels; ch++) out[outRow + x * channels + ch] = src.data[from + ch]!;
    }
  }
  return out;
}

/**
 * Resize an 8-bit image exactly as Pillow's `Image.resize(size, filter)` does for 8-bit modes (no
 * `reducing_gap`, as torchvision calls it): a separable two-pass convolution with 22-bit fixed-point weights —
 * horizontal over the rows the vertical pass needs, then vertical — or Pillow's affine nearest-neighbour sampling.
 * A port of the behaviour of src/libImaging/Resample.c and Geometry.c, for parity with the PyTorch reference.
 */
export function pilResample(src: RawImage, outWidth: number, outHeight: number, filter: PilFilter): RawImage {
  const { width, height, channels } = src;
  if (outWidth === width && outHeight === height) return { data: src.data.slice(), width, height, channels };
  if (filter === 'nearest') return { data: nearest(src, outWidth, outHeight), width: outWidth, height: outHeight, channels };
  const kernel = KERNELS[filter];
  const vertical = coefficients(height, outHeight, kernel);
  let image = src;
  let rowShift = 0;
  if (outWidth !== width) {
    const first = vertical.bounds[0]!;
    const last = vertical.bounds[(outHeight - 1) * 2]! + vertical.bounds[(outHeight - 1) * 2 + 1]!;
    const data = horizontalPass(src, first, last - first, outWidth, coefficients(width, outWidth, kernel));
    image = { data, width: outWidth, height: last - first, channels };
    rowShift = first;
  }
  if (outHeight === height) return image; // why: Pillow skips the vertical pass when the height is unchanged.
  return { data: verticalPass(image, outHeight, vertical, rowShift), width: outWidth, height: outHeight, channels };
}
