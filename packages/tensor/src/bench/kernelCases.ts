import * as tf from '@tensorflow/tfjs-core';

/** One benchmarked kernel call: how to make its inputs, and its work in FLOPs or bytes moved. */
export interface KernelCase {
  readonly kernel: string;
  readonly label: string;
  readonly make: () => { inputs: tf.NamedTensorMap; attrs: Record<string, unknown> };
  readonly flops?: number;
  readonly bytes?: number;
}

const rand = (shape: number[]): tf.Tensor => tf.randomUniform(shape, -1, 1, 'float32', 7);

const conv = (stride: number): KernelCase[] => {
  const [n, h, w, c] = [2, 32, 32, 64];
  const o = h / stride;
  const attrs = { strides: stride, pad: 'same', dataFormat: 'NHWC' };
  const flops = 2 * n * o * o * 9 * c * c;
  return [
    {
      kernel: 'Conv2DBackpropFilter',
      label: `3x3 stride ${stride}, x ${n}x${h}x${w}x${c}, ${c} filters`,
      make: () => ({ inputs: { x: rand([n, h, w, c]), dy: rand([n, o, o, c]) }, attrs: { ...attrs, filterShape: [3, 3, c, c] } }),
      flops,
    },
    {
      kernel: 'Conv2DBackpropInput',
      label: `3x3 stride ${stride}, x ${n}x${h}x${w}x${c}, ${c} filters`,
      make: () => ({ inputs: { dy: rand([n, o, o, c]), filter: rand([3, 3, c, c]) }, attrs: { ...attrs, inputShape: [n, h, w, c] } }),
      flops,
    },
  ];
};

/** The kernels this package replaces, at the sizes backend.md measured. */
export const KERNEL_CASES: readonly KernelCase[] = [
  ...conv(1),
  ...conv(2),
  {
    kernel: 'BatchMatMul',
    label: '512x512 · (512x512)ᵀ (transposeB: linear backward dX = dY·Wᵀ)',
    make: () => ({ inputs: { a: rand([1, 512, 512]), b: rand([1, 512, 512]) }, attrs: { transposeA: false, transposeB: true } }),
    flops: 2 * 512 ** 3,
  },
  {
    kernel: 'BatchMatMul',
    label: '(512x512)ᵀ · 512x512 (transposeA: linear backward dW = Xᵀ·dY)',
    make: () => ({ inputs: { a: rand([1, 512, 512]), b: rand([1, 512, 512]) }, attrs: { transposeA: true, transposeB: false } }),
    flops: 2 * 512 ** 3,
  },
  {
    kernel: 'BatchMatMul',
    label: 'attention q·kᵀ, 16 x [256,32]·[32,256]',
    make: () => ({ inputs: { a: rand([16, 256, 32]), b: rand([16, 256, 32]) }, attrs: { transposeA: false, transposeB: true } }),
    flops: 2 * 16 * 256 * 256 * 32,
  },
  {
    kernel: 'BatchMatMul',
    label: 'attention p·v, 16 x [256,256]·[256,32]',
    make: () => ({ inputs: { a: rand([16, 256, 256]), b: rand([16, 256, 32]) }, attrs: { transposeA: false, transposeB: false } }),
    flops: 2 * 16 * 256 * 256 * 32,
  },
  {
    kernel: '_FusedMatMul',
    label: 'linear + bias + relu on [4,256,512]·[512,512]',
    make: () => ({
      inputs: { a: rand([4, 256, 512]), b: rand([1, 512, 512]), bias: rand([512]) },
      attrs: { transposeA: false, transposeB: false, activation: 'relu' },
    }),
    flops: 2 * 4 * 256 * 512 * 512,
  },
  {
    kernel: 'Slice',
    label: 'one [256,256] plane out of [16,256,256]',
    make: () => ({ inputs: { x: rand([16, 256, 256]) }, attrs: { begin: [5, 0, 0], size: [1, 256, 256] } }),
    bytes: 2 * 256 * 256 * 4,
  },
  {
    kernel: 'Slice',
    label: 'inner [16,128,128] window of [16,256,256]',
    make: () => ({ inputs: { x: rand([16, 256, 256]) }, attrs: { begin: [0, 64, 64], size: [16, 128, 128] } }),
    bytes: 2 * 16 * 128 * 128 * 4,
  },
  {
    kernel: 'UnsortedSegmentSum',
    // why: small enough for cpu's kernel, which makes one masked sum over all rows per segment.
    label: 'gather gradient: 1024 rows of 128 into a 512-row table',
    make: () => ({
      inputs: { x: rand([1024, 128]), segmentIds: tf.cast(tf.floor(tf.mul(tf.randomUniform([1024], 0, 1, 'float32', 3), 512)), 'int32') },
      attrs: { numSegments: 512 },
    }),
    bytes: (2 * 1024 * 128 + 512 * 128) * 4,
  },
];
