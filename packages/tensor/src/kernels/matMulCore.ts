import * as tf from '@tensorflow/tfjs-core';
import { broadcast_util, util } from '@tensorflow/tfjs-core';
import type { KernelBackend } from '@tensorflow/tfjs-core';
import { stockKernel } from './replaceKernel.js';
import { kernelError } from './kernelError.js';

/**
 * `a·b` for rank ≥ 2 float32 tensors (batch dims broadcast, optional transposes) built only from
 * plain 2-D matmuls, which the stock wasm kernel hands to XNNPACK.
 * why: wasm 4.22 sends any transpose or any batch > 1 to a scalar single-threaded loop
 * (`slow_batch_matmul`, 1–2 GFLOP/s against ~30 for 2-D; backend.md §1). An explicit Transpose is one
 * memory pass, far cheaper.
 */
export function matMulCore(
  a: tf.Tensor,
  b: tf.Tensor,
  transposeA: boolean,
  transposeB: boolean,
  backend: KernelBackend,
  backendName: string,
): tf.Tensor {
  const [a0, a1] = a.shape.slice(-2) as [number, number];
  const [b0, b1] = b.shape.slice(-2) as [number, number];
  const [m, k] = transposeA ? [a1, a0] : [a0, a1];
  const [k2, n] = transposeB ? [b1, b0] : [b0, b1];
  if (k !== k2) {
    throw kernelError(
      'BatchMatMul',
      backendName,
      `matMul: inner dimensions ${k} and ${k2} of shapes [${a.shape.join(',')}] and [${b.shape.join(',')}] ` +
        `(transposeA=${transposeA}, transposeB=${transposeB}) must match`,
    );
  }
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outer = broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const batchA = util.sizeFromShape(outerA);
  const batchB = util.sizeFromShape(outerB);
  const batch = util.sizeFromShape(outer);
  const outShape = [...outer, m, n];
  const mm = (x: tf.Tensor, y: tf.Tensor): tf.Tensor2D => mm2d(x as tf.Tensor2D, y as tf.Tensor2D, backend, backendName);
  // Operands as [batch, rows, cols] with the transposes made explicit.
  const a3 = (): tf.Tensor => (transposeA ? tf.transpose(tf.reshape(a, [batchA, k, m]), [0, 2, 1]) : tf.reshape(a, [batchA, m, k]));
  const b3 = (): tf.Tensor => (transposeB ? tf.transpose(tf.reshape(b, [batchB, n, k]), [0, 2, 1]) : tf.reshape(b, [batchB, k, n]));

  if (batchB === 1) {
    // Fold a's batch into its rows: one [batchA·m, k]·[k, n] call.
    return tf.reshape(mm(tf.reshape(a3(), [batchA * m, k]), tf.reshape(b3(), [k, n])), outShape);
  }
  if (batchA === 1) {
    // Lay b's batch beside its columns: one [m, k]·[k, batchB·n] call.
    const bCols = transposeB
      ? tf.transpose(tf.reshape(b, [batchB, n, k]), [2, 0, 1])
      : tf.transpose(tf.reshape(b, [batchB, k, n]), [1, 0, 2]);
    const y = mm(tf.reshape(a3(), [m, k]), tf.reshape(bCols, [k, batchB * n]));
    return tf.reshape(tf.transpose(tf.reshape(y, [m, batchB, n]), [1, 0, 2]), outShape);
  }
  // General case: one 2-D call per output batch item, operands found through the broadcast.
  const aAll = a3();
  const bAll = b3();
  const parts: tf.Tensor[] = [];
  for (let i = 0; i < batch; i++) {
    const ia = broadcastIndex(i, outer, outerA);
    const ib = broadcastIndex(i, outer, outerB);
    const ai = tf.reshape(tf.slice(aAll, [ia, 0, 0], [1, m, k]), [m, k]);
    const bi = tf.reshape(tf.slice(bAll, [ib, 0, 0], [1, k, n]), [k, n]);
    parts.push(mm(ai, bi));
  }
  return tf.reshape(tf.concat(parts, 0), outShape);
}

/** A plain 2-D matmul through the stock kernel (XNNPACK on wasm), as an engine-tracked tensor. */
function mm2d(a: tf.Tensor2D, b: tf.Tensor2D, backend: KernelBackend, backendName: string): tf.Tensor2D {
  const stock = stockKernel('BatchMatMul', backendName);
  if (stock === undefined) throw kernelError('BatchMatMul', backendName, 'the backend has no stock BatchMatMul kernel');
  const info = stock.kernelFunc({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } });
  const single = Array.isArray(info) ? info[0] : info;
  if (single === undefined) throw kernelError('BatchMatMul', backendName, 'the stock kernel returned no output');
  // why: the stock kernel returns shape [1, m, n]; the tensor made here owns the kernel's one reference.
  return tf.reshape(tf.engine().makeTensorFromTensorInfo(single, backend), [a.shape[0], b.shape[1]]);
}

/** The flat batch index into an operand of outer shape `own` for flat index `i` of the broadcast shape `outer`. */
function broadcastIndex(i: number, outer: readonly number[], own: readonly number[]): number {
  let rest = i;
  let idx = 0;
  let stride = 1;
  for (let d = outer.length - 1, e = own.length - 1; d >= 0; d--, e--) {
    const size = outer[d] as number;
    const coord = rest % size;
    rest = Math.floor(rest / size);
    if (e < 0) continue;
    const ownSize = own[e] as number;
    idx += (ownSize === 1 ? 0 : coord) * stride;
    stride *= ownSize;
  }
  return idx;
}
