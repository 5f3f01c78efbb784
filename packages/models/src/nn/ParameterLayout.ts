/**
 * How a parameter is stored in our compute layout compared with its PyTorch layout. Checkpoints, `stateDict()` and
 * `loadStateDict()` always speak PyTorch layout; the tf.Variable holds the compute layout, converted once at load.
 */
export interface ParameterLayout {
  /** A short name for messages ('identity', 'linear', 'conv2d'). */
  readonly name: string;
  /** The compute-layout shape of a tensor whose PyTorch shape is `shape`. */
  computeShape(shape: readonly number[]): number[];
  /** PyTorch-layout data -> compute-layout data (a new array unless the layout is the identity). */
  toCompute(data: Float32Array, shape: readonly number[]): Float32Array;
  /** Compute-layout data -> PyTorch-layout data (a new array unless the layout is the identity). */
  toPyTorch(data: Float32Array, shape: readonly number[]): Float32Array;
}

/** Same layout in PyTorch and in tfjs (biases, norms, embeddings). */
export const identityLayout: ParameterLayout = Object.freeze({
  name: 'identity',
  computeShape: (shape: readonly number[]) => [...shape],
  toCompute: (data: Float32Array) => data,
  toPyTorch: (data: Float32Array) => data,
});

/**
 * nn.Linear weight: PyTorch stores [out, in] and computes x·Wᵀ; we store [in, out] so the forward is a plain
 * `tf.matMul(x, w)` (why: wasm's XNNPACK fast path needs no transpose flags).
 */
export const linearLayout: ParameterLayout = Object.freeze({
  name: 'linear',
  computeShape: (shape: readonly number[]) => {
    const [out, inFeatures] = rank(shape, 2, 'linear');
    return [inFeatures, out];
  },
  toCompute: (data: Float32Array, shape: readonly number[]) => {
    const [out, inFeatures] = rank(shape, 2, 'linear');
    return transpose2d(data, out, inFeatures);
  },
  toPyTorch: (data: Float32Array, shape: readonly number[]) => {
    const [out, inFeatures] = rank(shape, 2, 'linear');
    return transpose2d(data, inFeatures, out);
  },
});

/** nn.Conv2d weight: PyTorch OIHW [out, in, kh, kw] <-> tfjs HWIO [kh, kw, in, out] (tfjs convolutions are NHWC). */
export const conv2dLayout: ParameterLayout = Object.freeze({
  name: 'conv2d',
  computeShape: (shape: readonly number[]) => {
    const [out, inChannels, kh, kw] = rank(shape, 4, 'conv2d');
    return [kh, kw, inChannels, out];
  },
  toCompute: (data: Float32Array, shape: readonly number[]) => {
    const [out, inChannels, kh, kw] = rank(shape, 4, 'conv2d');
    const result = new Float32Array(data.length);
    for (let o = 0; o < out; o++) {
      for (let i = 0; i < inChannels; i++) {
        for (let y = 0; y < kh; y++) {
          for (let x = 0; x < kw; x++) result[((y * kw + x) * inChannels + i) * out + o] = data[((o * inChannels + i) * kh + y) * kw + x]!;
        }
      }
    }
    return result;
  },
  toPyTorch: (data: Float32Array, shape: readonly number[]) => {
    const [out, inChannels, kh, kw] = rank(shape, 4, 'conv2d');
    const result = new Float32Array(data.length);
    for (let o = 0; o < out; o++) {
      for (let i = 0; i < inChannels; i++) {
        for (let y = 0; y < kh; y++) {
          for (let x = 0; x < kw; x++) result[((o * inChannels + i) * kh + y) * kw + x] = data[((y * kw + x) * inChannels + i) * out + o]!;
        }
      }
    }
    return result;
  },
});

/** Row-major [rows, cols] -> [cols, rows]. */
function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const result = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) result[c * rows + r] = data[base + c]!;
  }
  return result;
}

function rank(shape: readonly number[], expected: number, layout: string): number[] {
  if (shape.length !== expected) throw new RangeError(`a ${layout} parameter needs a rank-${expected} shape, got [${shape.join(', ')}]`);
  return [...shape];
}
